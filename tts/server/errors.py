"""Errors in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}`` with a status."""

from __future__ import annotations

from typing import Any

# OpenAI's error types, by status: the openai client picks its exception class by the
# status alone (400 BadRequestError, 401 AuthenticationError, 429 RateLimitError...).
TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
         405: "invalid_request_error", 413: "invalid_request_error", 429: "rate_limit_exceeded",
         500: "server_error", 503: "server_error", 504: "server_error"}


class ApiError(Exception):
    """A request that gets an error answer: the status, and what the body says."""

    def __init__(self, status: int, message: str, param: str | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": TYPES.get(self.status, "server_error"),
                          "param": self.param, "code": self.code}}


def invalid(param: str, message: str, code: str = "invalid_value") -> ApiError:
    """A 400 naming the request field at fault."""
    return ApiError(400, message, param, code)
