from imrdesktop.app import main

raise SystemExit(main())
