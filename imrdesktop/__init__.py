"""IMR Desktop: offline case files and Independent Medical Review packets for advocates."""

__version__ = "0.1.0"

APP_NAME = "IMR Desktop"
APP_ID = "org.healthadvocates.IMRDesktop"
ORG_DOMAIN = "healthadvocates.org"
