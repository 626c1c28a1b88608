"""Pure-Python Meshy API client (never imports bpy).

Inside Blender this package is ``bl_ext.<repo>.meshy_tools.client``; from the
repository root it is ``client``. Only relative imports are used inside it.
"""

from __future__ import annotations

from . import logs
from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    BadResponseError,
    ConnectionFailedError,
    DownloadError,
    InsufficientCreditsError,
    JournalError,
    MeshyError,
    NotFoundError,
    PermissionDeniedError,
    QueueFullError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamError,
    TaskFailedError,
    TimeoutError_,
    UnprocessableError,
    ValidationError,
)
from .http import MeshyClient
from .logs import RedactingFilter
from .models import (
    ImageTo3DRequest,
    ImageToImageRequest,
    Kind,
    RemeshRequest,
    RetextureRequest,
    request_from_dict,
)
from .pricing import estimate_credits
from .retry import RetryPolicy
from .tasks import Task, TaskError, TaskStatus
from .transport import Limits
from .uploads import FileInput, build_upload_body

# every meshy* logger, present and future, redacts keys (records, args, tracebacks): see logs.py
logs.install()

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BadResponseError",
    "ConnectionFailedError",
    "DownloadError",
    "FileInput",
    "ImageTo3DRequest",
    "ImageToImageRequest",
    "InsufficientCreditsError",
    "JournalError",
    "Kind",
    "Limits",
    "MeshyClient",
    "MeshyError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueFullError",
    "RateLimitError",
    "RedactingFilter",
    "RemeshRequest",
    "RequestTimeoutError",
    "RetextureRequest",
    "RetryPolicy",
    "ServerError",
    "StreamError",
    "Task",
    "TaskError",
    "TaskFailedError",
    "TaskStatus",
    "TimeoutError_",
    "UnprocessableError",
    "ValidationError",
    "build_upload_body",
    "estimate_credits",
    "request_from_dict",
]
