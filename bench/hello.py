# SPDX-License-Identifier: AGPL-3.0-or-later
"""The baseline: the smallest Flask app, served with the same gunicorn settings as Openround."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The cheapest possible answer."""
    return "hello"
