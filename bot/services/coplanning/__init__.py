"""Co-planning (issue 13): members' proposals for the plan and budget, discussed and ranked
in chat (capped approval, secret ballots, hidden tallies), adopted by a consent round into the
group's opinion (a .docx), and followed to the council's decision.

Modules: `model` (terms, legal deadlines), `ranking` (counting, ties), `similarity` (fuzzy
duplicates), `rounds` (phases, count, adoption), `dialogs`, `proposals` (submit, discuss,
merge, withdraw), `voting`, `fate`, `opinion` (the document), `render`, `service` (wiring).
"""

from bot.services.coplanning.service import CoPlanningService

__all__ = ["CoPlanningService"]
