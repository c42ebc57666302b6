"""The default plan catalog and credit packs, seeded into the database on first use.

Amounts are integer cents. Stripe price ids come from `settings.stripe_prices`
(`basic_monthly`, `premium_monthly`, `credits_10`, ...); a missing id leaves that
price unsellable until an admin sets one.
"""

from __future__ import annotations

from typing import Any

from services.core.models import utcnow

CURRENCY = "USD"
THIRTY_DAYS = 30 * 24 * 3600

TIERS = {"free": 1, "basic": 2, "premium": 3}
QUALITY = {"480p": 1, "720p": 2, "1080p": 3, "2160p": 4}


def _entitlements(
    *, tier: int, quality: str, streams: int, ads: bool, downloads: int, early: bool, extras: bool, chat: int, credits: int
) -> dict[str, Any]:
    return {
        "content_access_level": tier,
        "max_video_quality": QUALITY[quality],
        "max_concurrent_streams": streams,
        "ads_enabled": ads,
        "downloads_allowed": downloads > 0,
        "max_downloads": downloads,
        "download_validity_seconds": THIRTY_DAYS if downloads else 0,
        "early_access": early,
        "extras_access": extras,
        "chat_messages_per_day": chat,
        "monthly_credits": credits,
    }


def default_plans(prices: dict[str, str]) -> list[dict[str, Any]]:
    now = utcnow()

    def price(plan: str, amount: int) -> dict[str, Any]:
        return {
            "interval": "month",
            "amount": amount,
            "currency": CURRENCY,
            "trial_days": 0,
            "price_id": prices.get(f"{plan}_monthly", ""),
        }

    return [
        {
            "id": "free",
            "tier": 1,
            "display_name": "Free",
            "description": "Watch the free library with ads.",
            "features": ["Limited content library", "Ads supported", "480p quality", "Watch on 1 device"],
            "entitlements": _entitlements(
                tier=1, quality="480p", streams=1, ads=True, downloads=0, early=False, extras=False, chat=20, credits=0
            ),
            "prices": [{"interval": "month", "amount": 0, "currency": CURRENCY, "trial_days": 0, "price_id": ""}],
            "highlighted": False,
            "version": 1,
            "update_time": now,
        },
        {
            "id": "basic",
            "tier": 2,
            "display_name": "Basic",
            "description": "The full library in HD, without ads.",
            "features": ["Full content library", "No ads", "720p quality", "Watch on 2 devices", "Download offline"],
            "entitlements": _entitlements(
                tier=2, quality="720p", streams=2, ads=False, downloads=10, early=False, extras=False, chat=100, credits=0
            ),
            "prices": [price("basic", 299)],
            "highlighted": True,
            "version": 1,
            "update_time": now,
        },
        {
            "id": "premium",
            "tier": 3,
            "display_name": "Premium",
            "description": "Everything, in Full HD, first.",
            "features": [
                "Everything in Basic",
                "1080p quality",
                "Watch on 4 devices",
                "Early access to new releases",
                "Behind-the-scenes content",
            ],
            "entitlements": _entitlements(
                tier=3, quality="1080p", streams=4, ads=False, downloads=25, early=True, extras=True, chat=500, credits=0
            ),
            "prices": [price("premium", 499)],
            "highlighted": False,
            "version": 1,
            "update_time": now,
        },
    ]


def default_packs(prices: dict[str, str]) -> list[dict[str, Any]]:
    now = utcnow()
    packs = [(10, 500), (50, 2000), (100, 3500)]
    return [
        {
            "id": f"credits-{credits}",
            "display_name": f"{credits} credits",
            "credits": credits,
            "price_amount": amount,
            "currency": CURRENCY,
            "required_plan": "",
            "active": True,
            "sort_order": index,
            "provider_price_id": prices.get(f"credits_{credits}", ""),
            "request_id": None,
            "version": 1,
            "create_time": now,
            "update_time": now,
        }
        for index, (credits, amount) in enumerate(packs)
    ]
