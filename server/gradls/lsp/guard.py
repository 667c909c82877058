"""`guarded`: a handler that fails logs its traceback to the client and answers a fallback.

Protocol errors meant for the client (JsonRpcException) and cancellation pass through.  Handlers
are plain functions whose first parameter is the server (`ls`), the pygls convention.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from pygls.exceptions import JsonRpcException

F = TypeVar("F", bound=Callable[..., Any])


def guarded(fallback: Any = None) -> Callable[[F], F]:
    def answer() -> Any:
        return fallback() if callable(fallback) else fallback

    def deco(fn: F) -> F:
        if asyncio.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(ls, *args, **kwargs):
                try:
                    return await fn(ls, *args, **kwargs)
                except (JsonRpcException, asyncio.CancelledError):
                    raise
                except Exception as e:
                    ls.log_exception(fn.__name__, e)
                    return answer()

            return cast(F, async_wrapper)

        @functools.wraps(fn)
        def wrapper(ls, *args, **kwargs):
            try:
                return fn(ls, *args, **kwargs)
            except JsonRpcException:
                raise
            except Exception as e:
                ls.log_exception(fn.__name__, e)
                return answer()

        return cast(F, wrapper)

    return deco
