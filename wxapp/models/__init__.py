"""Every model module is imported here so that Alembic sees the whole schema."""
from wxapp.models.audit import AuditLog
from wxapp.models.documents import DOCUMENT_KINDS, UploadedDocument
from wxapp.models.faq import Handover, KnowledgeEntry, NotOursQuestion, QuestionLog
from wxapp.models.idempotency import IdempotencyRecord
from wxapp.models.notices import NoticeDelivery, ResidentNotice, StaffNotice
from wxapp.models.profiles import ResidentProfile
from wxapp.models.ratings import ServiceRating
from wxapp.models.regions import Township, Village
from wxapp.models.registrations import (
                                        OPEN_STATUSES,
                                        BirthRegistration,
                                        ConsentRecord,
                                        RegistrationDraft,
                                        RegistrationEvent,
)
from wxapp.models.residents import Resident
from wxapp.models.screening import (
                                        Clinic,
                                        ClinicClosure,
                                        ScreeningAllowance,
                                        ScreeningBooking,
                                        ScreeningCouple,
                                        ScreeningCoupleMember,
                                        ScreeningFollowUp,
                                        ScreeningResult,
                                        ScreeningSchedule,
                                        ScreeningSlot,
                                        ScreeningTarget,
                                        ScreeningVillageTarget,
)
from wxapp.models.staff import STAFF_ROLES, StaffUser
from wxapp.models.supplies import (
                                        DeviceEvent,
                                        GuidanceRecord,
                                        Pickup,
                                        PickupLine,
                                        PointItem,
                                        StockBatch,
                                        StockLevel,
                                        StockMovement,
                                        SupplyItem,
                                        SupplyPoint,
                                        SupplyPreference,
                                        SupplyTask,
)
from wxapp.models.township_settings import TownshipSetting
from wxapp.models.wechat import SubscribeGrant

__all__ = [
                                        "DOCUMENT_KINDS",
                                        "OPEN_STATUSES",
                                        "STAFF_ROLES",
                                        "AuditLog",
                                        "BirthRegistration",
                                        "Clinic",
                                        "ClinicClosure",
                                        "ConsentRecord",
                                        "DeviceEvent",
                                        "GuidanceRecord",
                                        "Handover",
                                        "IdempotencyRecord",
                                        "KnowledgeEntry",
                                        "NotOursQuestion",
                                        "NoticeDelivery",
                                        "Pickup",
                                        "PickupLine",
                                        "PointItem",
                                        "QuestionLog",
                                        "RegistrationDraft",
                                        "RegistrationEvent",
                                        "Resident",
                                        "ResidentNotice",
                                        "ResidentProfile",
                                        "ScreeningAllowance",
                                        "ScreeningBooking",
                                        "ScreeningCouple",
                                        "ScreeningCoupleMember",
                                        "ScreeningFollowUp",
                                        "ScreeningResult",
                                        "ScreeningSchedule",
                                        "ScreeningSlot",
                                        "ScreeningTarget",
                                        "ScreeningVillageTarget",
                                        "ServiceRating",
                                        "StaffNotice",
                                        "StaffUser",
                                        "StockBatch",
                                        "StockLevel",
                                        "StockMovement",
                                        "SubscribeGrant",
                                        "SupplyItem",
                                        "SupplyPoint",
                                        "SupplyPreference",
                                        "SupplyTask",
                                        "Township",
                                        "TownshipSetting",
                                        "UploadedDocument",
                                        "Village",
]
