"""The enumerations of the HR module specification (sections 3 and 4), one StrEnum each.

Columns built with `choice()` store the value as text and carry a CHECK constraint, so the
database refuses a value the code would refuse.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def choice(enum: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column type limited to `enum`'s values by a named CHECK constraint."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
    )


class LmsType(StrEnum):
    CORPORATE_LMS = "corporate_lms"
    MOODLE = "moodle"
    CANVAS = "canvas"
    BLACKBOARD = "blackboard"
    CORNERSTONE = "cornerstone"
    DOCEBO = "docebo"
    TALENTLMS = "talentlms"
    CUSTOM_LMS = "custom_lms"
    SCORM_COMPLIANT = "scorm_compliant"
    XAPI_COMPATIBLE = "xapi_compatible"


class IntegrationMethod(StrEnum):
    API = "api"
    LTI = "lti"
    SCORM = "scorm"
    XAPI = "xapi"
    SFTP = "sftp"
    FILE_UPLOAD = "file_upload"
    WEBHOOK = "webhook"
    DATABASE_LINK = "database_link"
    MANUAL_ENTRY = "manual_entry"


class AuthenticationType(StrEnum):
    API_KEY = "api_key"
    OAUTH_2_0 = "oauth_2_0"
    BASIC_AUTH = "basic_auth"
    LTI_KEY = "lti_key"
    JWT = "jwt"
    CERTIFICATE = "certificate"
    SAML = "saml"


class DataFormat(StrEnum):
    JSON = "json"
    XML = "xml"
    CSV = "csv"
    SCORM = "scorm"
    XAPI = "xapi"
    LTI = "lti"


class SyncFrequency(StrEnum):
    REAL_TIME = "real_time"
    EVERY_15_MINS = "every_15_mins"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    ON_DEMAND = "on_demand"


class SyncRunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class OutboundStatus(StrEnum):
    """Where an enrolment asked of the LMS from the HR side stands."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class SyncDirection(StrEnum):
    BIDIRECTIONAL = "bidirectional"
    INBOUND_ONLY = "inbound_only"
    OUTBOUND_ONLY = "outbound_only"


class ConnectionStatus(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    TESTING = "testing"
    MAINTENANCE = "maintenance"


class CourseType(StrEnum):
    ELEARNING = "elearning"
    INSTRUCTOR_LED = "instructor_led"
    BLENDED = "blended"
    VIRTUAL_CLASSROOM = "virtual_classroom"
    MICROLEARNING = "microlearning"
    WEBINAR = "webinar"
    WORKSHOP = "workshop"


class EnrollmentStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    DROPPED = "dropped"
    ON_HOLD = "on_hold"
    EXPIRED = "expired"
    CERTIFIED = "certified"


class EnrollmentSource(StrEnum):
    MANAGER_ASSIGNMENT = "manager_assignment"
    SELF_ENROLLMENT = "self_enrollment"
    SYSTEM_ASSIGNMENT = "system_assignment"
    LEARNING_PATH = "learning_path"
    COMPLIANCE_REQUIREMENT = "compliance_requirement"


class LessonType(StrEnum):
    VIDEO = "video"
    READING = "reading"
    QUIZ = "quiz"
    ASSIGNMENT = "assignment"
    PROJECT = "project"
    DISCUSSION = "discussion"
    ASSESSMENT = "assessment"
    SIMULATION = "simulation"


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class RoleType(StrEnum):
    LMS_ADMIN = "lms_admin"
    LMS_MANAGER = "lms_manager"
    LMS_INSTRUCTOR = "lms_instructor"
    HR_ADMIN = "hr_admin"
    TRAINING_COORDINATOR = "training_coordinator"
    CONTENT_CREATOR = "content_creator"
    LEARNER = "learner"
    REPORT_VIEWER = "report_viewer"
    COMPLIANCE_OFFICER = "compliance_officer"
    AUDITOR = "auditor"


class DataAccessLevel(StrEnum):
    ALL = "all"
    DEPARTMENT = "department"
    TEAM = "team"
    OWN = "own"
    NONE = "none"


class ClearanceLevel(StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    TOP_SECRET = "top_secret"


class CertificationStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    CERTIFIED = "certified"
    EXPIRED = "expired"


class ComplianceTrainingStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"


class EmploymentStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"
