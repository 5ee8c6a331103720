"""The operations console: the hub's own web pages, at ``/``, for admins and leaders.

Every page is a small HTML shell (Jinja templates in ``templates/``) whose ES modules
(``static/js/``) read and change everything through the public GraphQL API, as a front-end
team's application would; every library they use is vendored in ``static/vendor/`` (no CDN).
A person signs in once by pasting a token, kept in the HttpOnly cookie ``iochub_token`` that
the API accepts from the hub's own pages (:func:`hub.auth.authenticate.cookie_token`).
"""

from hub.console.pages import console_handlers

__all__ = ["console_handlers"]
