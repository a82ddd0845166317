"""The group's monitoring and evaluation report (issue 22): series over survey rounds, the
SBB achievement rate and status per indicator, reasons for deviations gathered in chat, and
the report as Word and Excel files. Modules: periods, figures (pure), source (storage),
render (texts), chart, documents (.docx/.xlsx), service (`/rapor`, the reasons dialog)."""

from bot.services.monitoring.figures import Status, Thresholds
from bot.services.monitoring.periods import BadPeriod, Period
from bot.services.monitoring.service import MonitoringService

__all__ = ["BadPeriod", "MonitoringService", "Period", "Status", "Thresholds"]
