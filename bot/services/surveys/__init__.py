"""Indicator surveys (issue 9): model, content, answering, results, charts, exports, XLSForm."""
