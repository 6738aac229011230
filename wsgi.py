"""gunicorn entry point: ``gunicorn -c gunicorn.conf.py wsgi:app``."""
from wxapp import create_app

app = create_app()
