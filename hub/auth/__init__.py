"""Access control: principals and their roles, tokens, JWTs, scopes, audit, rate limits.

See docs/auth.md. The API asks :class:`hub.auth.authenticate.Authenticator` who is calling,
turns the principal into a :class:`hub.auth.scope.Scope` once per request, and every query
applies that scope; mutations check :meth:`Principal.may` and are written to the audit log.
"""
