"""Article pages of ``full_text`` sources: fetch each and extract its main text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure


class ArticleSpider(scrapy.Spider):
    """Fetches the given links and fills ``texts`` (link → main text); a page that fails is left out."""

    name = "article"

    def __init__(self, links: list[str], texts: dict[str, str], **kwargs: Any) -> None:
        super().__init__(name=self.name, **kwargs)
        self.links, self.texts = links, texts

    async def start(self) -> AsyncIterator[Request]:
        for link in self.links:
            yield Request(link, callback=self.parse, errback=self.on_error, cb_kwargs={"link": link})

    def parse(self, response: Response, link: str) -> None:
        if not hasattr(response, "text"):
            return
        import trafilatura  # heavy, and only full_text sources need it

        text = trafilatura.extract(response.text, url=response.url, include_comments=False, include_tables=False)
        if text:
            self.texts[link] = text

    def on_error(self, failure: Failure) -> None:
        self.logger.info("article page failed: %s", failure.value)
