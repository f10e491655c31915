"""The database models of docloop."""

from review_app.models.base import Base, DocumentStatus, FieldStatus, Role, Route, TaskStatus
from review_app.models.documents import Document, Extraction, FieldValue, Page
from review_app.models.gold import GoldCopy, GoldDocument, GoldScore
from review_app.models.integration import (
    IdempotencyRecord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from review_app.models.memory import MemoryRecord
from review_app.models.people import ApiKey, User
from review_app.models.quality import QualityAlert
from review_app.models.registry import ModelPromotion, ModelVersion
from review_app.models.review import ReviewEvent, ReviewTask, TaskReason

__all__ = [
    "ApiKey",
    "Base",
    "Document",
    "DocumentStatus",
    "Extraction",
    "FieldStatus",
    "FieldValue",
    "GoldCopy",
    "GoldDocument",
    "GoldScore",
    "IdempotencyRecord",
    "MemoryRecord",
    "ModelPromotion",
    "ModelVersion",
    "Page",
    "QualityAlert",
    "ReviewEvent",
    "ReviewTask",
    "Role",
    "Route",
    "TaskReason",
    "TaskStatus",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
