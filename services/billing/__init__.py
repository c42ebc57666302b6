"""Billing: plans, subscriptions, payments, credits and Stripe."""
