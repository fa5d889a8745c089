"""Rich text of descriptions: a small safe subset of Markdown, sanitised with nh3."""
from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "ul", "ol", "li", "a", "strong", "em", "br"}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> Markup:
    html = markdown.markdown(text, output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                      url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)
