"""The baseline: a Flask "hello world" under the same gunicorn settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/hello")
def hello():
    return "hello"
