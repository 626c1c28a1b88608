"""Pure-Python Meshy API client (never imports bpy): every Meshy kind, its requests, tasks, jobs and journal.

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
from .kinds import Kind
from .logs import RedactingFilter
from .models import (
    AnimationRequest,
    ImageTo3DRequest,
    ImageToImageRequest,
    MultiImageTo3DRequest,
    RemeshRequest,
    RetextureRequest,
    RiggingRequest,
    TextTo3DPreviewRequest,
    TextTo3DRefineRequest,
    TextTo3DRequest,
    TextToImageRequest,
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
    "AnimationRequest",
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
    "MultiImageTo3DRequest",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueFullError",
    "RateLimitError",
    "RedactingFilter",
    "RemeshRequest",
    "RequestTimeoutError",
    "RetextureRequest",
    "RetryPolicy",
    "RiggingRequest",
    "ServerError",
    "StreamError",
    "Task",
    "TaskError",
    "TaskFailedError",
    "TaskStatus",
    "TextTo3DPreviewRequest",
    "TextTo3DRefineRequest",
    "TextTo3DRequest",
    "TextToImageRequest",
    "TimeoutError_",
    "UnprocessableError",
    "ValidationError",
    "build_upload_body",
    "estimate_credits",
    "request_from_dict",
]
