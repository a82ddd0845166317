"""The sending limits on their own, with explicit times (no sleeping)."""

from __future__ import annotations

from bot.config import Settings
from bot.ratelimit import ChannelLimits, Pacer, RateLimits, SlidingWindow


def sends_in_any_window(times: list[float], window: float = 1.0) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(pacer: Pacer, count: int, lateness: float = 0.0) -> list[float]:
    """Send `count` times as soon as allowed, waking `lateness` seconds late each time."""
    now, times = 0.0, []
    for _ in range(count):
        now += pacer.delay(now)
        if times:
            now += lateness
        pacer.take(now)
        times.append(now)
    return times


def test_the_pacer_stays_under_the_limit_in_every_window_and_keeps_its_pace() -> None:
    limits = ChannelLimits(RateLimits(per_second=30))
    times = run(limits.overall, 300)
    assert sends_in_any_window(times) <= 30
    assert 300 / 30 * 0.95 < times[-1] < 300 / 30 * 1.05


def test_waking_a_little_late_does_not_slow_the_pace() -> None:
    interval = 1 / 30
    on_time = run(Pacer(interval), 300)
    late = run(Pacer(interval), 300, lateness=0.004)  # the event loop wakes 4 ms late each time
    assert late[-1] - on_time[-1] < 0.01


def test_a_private_chat_allows_a_short_burst_then_one_a_second() -> None:
    limits = ChannelLimits(RateLimits(private_burst=3))
    times = []
    now = 0.0
    for _ in range(6):
        now += limits.chat_delay("42", False, now)
        limits.record("42", False, now)
        times.append(round(now, 2))
    assert times[:3] == [0.0, 0.0, 0.0]
    assert all(b - a >= 1.0 for a, b in zip(times[3:], times[4:], strict=False))


def test_a_group_chat_gets_at_most_twenty_a_minute() -> None:
    window = SlidingWindow(20, 60.0)
    now, times = 0.0, []
    for _ in range(45):
        now += window.delay(now)
        window.take(now)
        times.append(now)
    assert sends_in_any_window(times, 60.0) == 20
    limits = ChannelLimits(RateLimits())
    assert limits.chat_delay("-100123", True, 0.0) == 0.0


def test_one_retry_after_pauses_one_chat_several_pause_the_bulk_lane() -> None:
    limits = ChannelLimits(RateLimits())
    assert not limits.retry_after("1", False, 3.0, now=100.0)
    assert limits.chat_delay("1", False, 100.0) >= 3.0 - 1e-9
    assert limits.chat_delay("2", False, 100.0) == 0.0 and limits.bulk_delay(100.0) == 0.0
    assert limits.retry_after("2", False, 5.0, now=101.0)
    assert limits.bulk_delay(101.0) == 5.0
    # Long after, a single chat's flood is again only that chat's business.
    assert not limits.retry_after("3", False, 1.0, now=200.0)


def test_limits_come_from_the_settings() -> None:
    settings = Settings(_env_file=None, send_rate_per_second=10, private_chat_rate_per_second=0.5,  # type: ignore[call-arg]
                        group_chat_rate_per_minute=12)
    limits = RateLimits.from_settings(settings)
    assert (limits.per_second, limits.private_per_second, limits.group_per_minute) == (10, 0.5, 12)


def test_idle_chats_are_forgotten() -> None:
    limits = ChannelLimits(RateLimits(per_second=1000))
    now = 0.0
    for chat in range(3000):
        now += limits.overall_delay(now) or 0.0
        limits.record(str(chat), False, now)
        limits.answered(now + 0.001)
    assert limits.tracked_chats < 2000
