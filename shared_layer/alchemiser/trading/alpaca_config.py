"""Where Alpaca is and how the adapters authenticate: endpoints, keys, the secret's shape.

Kept apart from the HTTP client so that choosing a broker (``factory``) never pays for
importing urllib's HTTP stack on a paper-broker cold start.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = [
    "DATA_URL",
    "LIVE_TRADING_URL",
    "PAPER_TRADING_URL",
    "AlpacaCredentials",
    "AlpacaSecret",
]

PAPER_TRADING_URL = "https://paper-api.alpaca.markets"
LIVE_TRADING_URL = "https://api.alpaca.markets"
DATA_URL = "https://data.alpaca.markets"
#: https anywhere; plain http only on loopback (a local test server).
_URL = r"^(https://[^\s/]+|http://(127\.0\.0\.1|localhost)(:\d+)?)(/[^\s]*)?$"


class AlpacaCredentials(BaseModel):
    """An Alpaca key pair; ``SecretStr`` keeps both out of reprs and logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key_id: SecretStr
    api_secret_key: SecretStr


class AlpacaSecret(BaseModel):
    """The Alpaca secret's JSON: the keys, and the endpoints they belong to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key_id: SecretStr
    api_secret_key: SecretStr
    trading_base_url: Annotated[str, Field(pattern=_URL)] = PAPER_TRADING_URL
    data_base_url: Annotated[str, Field(pattern=_URL)] = DATA_URL

    @property
    def credentials(self) -> AlpacaCredentials:
        """The key pair alone."""
        return AlpacaCredentials(api_key_id=self.api_key_id, api_secret_key=self.api_secret_key)
