"""The GraphQL API of API.md, served by litestar: :func:`hub.graphql.app.create_app`.

- ``app``: the web application (``/graphql``, ``/health``);
- ``schema``: the root types and the extensions (limits, error codes);
- ``context``, ``loaders``, ``sessions``: per-request context, DataLoaders, database calls;
- ``units``, ``metrics``, ``events``, ``connectors``: the types and their resolvers;
- ``errors``, ``pagination``, ``enums``, ``unit_queries``: what they share.
"""
