"""The frozen build's entry script: the same `imrdesktop` command as the pip install.

`imrdesktop.app.main` handles every flag, including the hidden `--document-worker` that a
frozen build uses to start its document worker (`[sys.executable, "--document-worker"]`).
"""

import multiprocessing
import sys

from imrdesktop.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
