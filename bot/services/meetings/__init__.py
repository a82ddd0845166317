"""Meetings: announce, answer, remind, change, take attendance.

- `service.py`: `MeetingService`, the core (announcing, moving, cancelling, reminders);
- `dialog.py`: the coordinator's `/newmeeting` dialog and the new-time dialog;
- `answers.py`: RSVP taps, typed answers, the calendar file;
- `overview.py`: `/meetings` for members and coordinators, attendee lists, move/cancel;
- `attendance.py`: who came, and the attendance history in `/members`;
- `settings.py`: `/reminders`, when the group's members are reminded;
- `render.py`: how a meeting reads.
"""

from bot.services.meetings.service import MeetingService

__all__ = ["MeetingService"]
