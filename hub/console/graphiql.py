"""GraphiQL's page, every script and style served by the hub itself (``static/vendor/``).

Strawberry's own page loads React and GraphiQL from a CDN, so on a closed network it stays
blank; the API's controller serves this one instead. Its requests carry the console's
cookie, so a person signed in to the console is signed in here too.
"""

from pathlib import Path

GRAPHIQL_HTML = (Path(__file__).parent / "templates" / "graphiql.html").read_text(encoding="utf-8")
