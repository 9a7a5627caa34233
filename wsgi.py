"""The WSGI entry point gunicorn serves."""

from lrs.app import create_app

app = create_app()
