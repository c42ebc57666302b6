"""BillingService servicer: parses each request into plain values, calls one use case, maps the result.

The use cases (`usecases.py`) own the units of work and the Stripe calls; the conversions both
ways are in `mapping.py`. Nothing here opens a transaction or talks to Stripe.
"""

from __future__ import annotations

import json

from marquee.billing.v1 import billing_pb2 as pb
from marquee.billing.v1 import billing_pb2_grpc

from services.billing.mapping import (
    ENTRY_KIND_NAME,
    INTERVALS,
    OUTCOME,
    OUTCOME_NAME,
    PACK_ID,
    PACK_PATHS,
    PORTAL_FLOWS,
    PRORATION_BEHAVIORS,
    REFUND_REASONS,
    SUBSCRIPTION_ORDERS,
    balance_pb,
    cents_of,
    checkout_order,
    checkout_pb,
    created,
    dispositions_pb,
    entitlement_users,
    entitlements_pb,
    entry_pb,
    enum_names,
    from_ts,
    json_document,
    known_plan,
    ledger_call,
    mask_paths,
    pack_pb,
    pack_values,
    payment_filter,
    payment_pb,
    plan_change,
    plan_pb,
    proration_pb,
    query_key,
    real_user,
    received,
    revenue_pb,
    revenue_range,
    subscription_filter,
    subscription_key,
    subscription_pb,
    timing_of,
    view_pb,
    webhook_event_pb,
    window,
    window_key,
)
from services.billing.repository import EntryFilter, EventFilter
from services.billing.usecases import BillingUseCases, CancelOrder, PlanChangeOrder, RefundOrder
from services.core import errors, names
from services.core.convert import timestamp as ts
from services.core.errors import invalid
from services.core.handlers import IdempotentHandlers
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_metadata, current_principal, require_principal
from services.core.paging import PageTokens, page_size


class BillingHandlers(IdempotentHandlers, billing_pb2_grpc.BillingServiceServicer):
    """Parses each request, calls one use case (`usecases.py`) and maps its result."""

    def __init__(self, use_cases: BillingUseCases, idempotency: Idempotency, page_tokens: PageTokens) -> None:
        super().__init__(idempotency, page_tokens)
        self.use = use_cases

    # -- plans and packs ---------------------------------------------------------------

    async def ListPlans(self, request: pb.ListPlansRequest, context: Context) -> pb.ListPlansResponse:
        limit = page_size(request.page_size, default=20, maximum=100)
        position = self.pages.decode(request.page_token, query="plans")
        after = int(position["tier"]) if position else 0
        rows = [plan for plan in await self.use.plans() if plan.tier > after]
        rows, next_token = self.pages.page(rows, limit, query="plans", position=lambda plan: {"tier": plan.tier})
        principal = current_principal()
        return pb.ListPlansResponse(plans=[plan_pb(p, principal) for p in rows], next_page_token=next_token)

    async def GetPlan(self, request: pb.GetPlanRequest, context: Context) -> pb.GetPlanResponse:
        plan = await self.use.plan(names.parse(request)["plan"])
        return pb.GetPlanResponse(plan=plan_pb(plan, current_principal()))

    async def UpdatePlan(self, request: pb.UpdatePlanRequest, context: Context) -> pb.UpdatePlanResponse:
        principal = require_principal()
        plan = await self.use.update_plan(plan_change(request))
        return pb.UpdatePlanResponse(plan=plan_pb(plan, principal))

    async def ListCreditPacks(self, request: pb.ListCreditPacksRequest, context: Context) -> pb.ListCreditPacksResponse:
        principal = current_principal()
        include = request.show_inactive and principal is not None and principal.is_admin
        limit = page_size(request.page_size, default=20, maximum=100)
        query = f"packs:{include}"
        position = self.pages.decode(request.page_token, query=query)
        after = (int(position["o"]), int(position["c"]), str(position["id"])) if position else None
        rows, next_token = self.pages.page(
            await self.use.credit_packs(include_inactive=include, after=after, limit=limit),
            limit,
            query=query,
            position=lambda last: {"o": last.sort_order, "c": last.credits, "id": last.id},
        )
        return pb.ListCreditPacksResponse(credit_packs=[pack_pb(p, principal) for p in rows], next_page_token=next_token)

    async def CreateCreditPack(self, request: pb.CreateCreditPackRequest, context: Context) -> pb.CreateCreditPackResponse:
        principal = require_principal()
        if not PACK_ID.match(request.credit_pack_id):
            raise invalid("credit_pack_id", "lowercase letters, digits and hyphens, at most 40 characters")
        if len(request.request_id) > 128:
            raise invalid("request_id", "at most 128 characters")
        # proto3 cannot tell an unset `active` from false: a new pack is on sale (the contract's default);
        # stop selling it with UpdateCreditPack.
        values = pack_values(request.credit_pack, list(PACK_PATHS)) | {"active": True}
        row = await self.use.create_credit_pack(principal.user_id, request.credit_pack_id, request.request_id, values)
        return pb.CreateCreditPackResponse(credit_pack=pack_pb(row, principal))

    async def UpdateCreditPack(self, request: pb.UpdateCreditPackRequest, context: Context) -> pb.UpdateCreditPackResponse:
        principal = require_principal()
        pack_id = request.credit_pack.name.removeprefix("creditPacks/")
        if not request.credit_pack.name.startswith("creditPacks/") or not pack_id:
            raise invalid("credit_pack.name", "must be `creditPacks/{pack}`")
        paths = mask_paths(request.update_mask, lambda path: path in PACK_PATHS)
        values = pack_values(request.credit_pack, paths)
        row = await self.use.update_credit_pack(pack_id, request.credit_pack.etag, values)
        return pb.UpdateCreditPackResponse(credit_pack=pack_pb(row, principal))

    # -- checkout and portal -------------------------------------------------------------

    async def CreateCheckoutSession(
        self, request: pb.CreateCheckoutSessionRequest, context: Context
    ) -> pb.CreateCheckoutSessionResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        if user_id != principal.user_id:
            raise invalid("parent", "checkouts are made by the buyer: use `users/me`")

        async def checkout() -> pb.CreateCheckoutSessionResponse:
            result = await self.use.checkout(user_id, checkout_order(request.checkout_session), request.request_id)
            message = checkout_pb(result.row, False, "")
            if result.client_secret:
                message.client_secret = result.client_secret
            return pb.CreateCheckoutSessionResponse(checkout_session=message)

        return await self._once(
            "CreateCheckoutSession", user_id, request, request.request_id, pb.CreateCheckoutSessionResponse, checkout
        )

    async def GetCheckoutSession(self, request: pb.GetCheckoutSessionRequest, context: Context) -> pb.GetCheckoutSessionResponse:
        principal = require_principal()
        name = names.owned(request, principal=principal)
        row, fulfilled, subscription = await self.use.checkout_session(name["user"], name["session"], request.name)
        return pb.GetCheckoutSessionResponse(checkout_session=checkout_pb(row, fulfilled, subscription))

    async def CreatePortalSession(
        self, request: pb.CreatePortalSessionRequest, context: Context
    ) -> pb.CreatePortalSessionResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        if user_id != principal.user_id:
            raise invalid("parent", "the portal is opened by its user: use `users/me`")
        wanted = request.portal_session
        portal = await self.use.portal(user_id, wanted.return_url, PORTAL_FLOWS.get(wanted.flow, ""))
        return pb.CreatePortalSessionResponse(
            portal_session=pb.PortalSession(
                return_url=wanted.return_url, flow=wanted.flow, url=portal.url, expire_time=ts(portal.expire_time)
            )
        )

    # -- subscriptions ---------------------------------------------------------------------

    async def GetSubscription(self, request: pb.GetSubscriptionRequest, context: Context) -> pb.GetSubscriptionResponse:
        principal = require_principal()
        view = await self.use.subscription(names.owned(request, principal=principal)["user"])
        return pb.GetSubscriptionResponse(subscription=view_pb(view, principal))

    async def CancelSubscription(self, request: pb.CancelSubscriptionRequest, context: Context) -> pb.CancelSubscriptionResponse:
        principal = require_principal()
        user_id = names.owned(request, principal=principal)["user"]
        if request.refund_unused_time and not principal.is_admin:
            raise errors.PermissionDenied(
                "only admins may refund unused time", reason="ROLE_REQUIRED", metadata={"required_role": "admin"}
            )
        if len(request.comment) > 1000:
            raise invalid("comment", "at most 1,000 characters")
        order = CancelOrder(
            immediately=request.mode == pb.CANCEL_MODE_IMMEDIATELY,
            refund_unused_time=request.refund_unused_time,
            feedback=int(request.feedback),
            comment=request.comment,
            request_id=request.request_id,
        )

        async def cancel() -> pb.CancelSubscriptionResponse:
            view = await self.use.cancel_subscription(user_id, principal, order)
            return pb.CancelSubscriptionResponse(subscription=view_pb(view, principal))

        return await self._once(
            "CancelSubscription", principal.user_id, request, request.request_id, pb.CancelSubscriptionResponse, cancel
        )

    async def ResumeSubscription(self, request: pb.ResumeSubscriptionRequest, context: Context) -> pb.ResumeSubscriptionResponse:
        principal = require_principal()
        view = await self.use.resume_subscription(names.owned(request, principal=principal)["user"])
        return pb.ResumeSubscriptionResponse(subscription=view_pb(view, principal))

    async def ChangeSubscriptionPlan(
        self, request: pb.ChangeSubscriptionPlanRequest, context: Context
    ) -> pb.ChangeSubscriptionPlanResponse:
        principal = require_principal()
        user_id = names.owned(request, principal=principal)["user"]
        order = PlanChangeOrder(
            target=request.target.plan,
            interval=INTERVALS.get(request.target.interval, ""),
            timing=timing_of(request.timing),
            proration_behavior=PRORATION_BEHAVIORS.get(request.proration_behavior, "always_invoice"),
            validate_only=request.validate_only,
            request_id=request.request_id,
        )

        async def change() -> pb.ChangeSubscriptionPlanResponse:
            view, proration = await self.use.change_plan(user_id, order)
            return pb.ChangeSubscriptionPlanResponse(subscription=view_pb(view, principal), proration=proration_pb(proration))

        return await self._once(
            "ChangeSubscriptionPlan", principal.user_id, request, request.request_id, pb.ChangeSubscriptionPlanResponse, change
        )

    async def ListSubscriptions(self, request: pb.ListSubscriptionsRequest, context: Context) -> pb.ListSubscriptionsResponse:
        principal = require_principal()
        order = SUBSCRIPTION_ORDERS.get(request.order_by or pb.SUBSCRIPTION_ORDER_CREATE_TIME_DESC)
        if order is None:
            raise invalid("order_by", "unknown order")
        limit = page_size(request.page_size, default=50, maximum=200)
        wanted = subscription_filter(request.filter)
        query = query_key(request.filter) + order
        after = self.pages.keyset_after(request.page_token, query=query)
        page = await self.use.list_subscriptions(wanted, order=order, after=after, limit=limit)
        rows, token = self.pages.keyset_page(page.rows, limit, query=query, key=subscription_key(order))
        items = [subscription_pb(row, principal, page.plans) for row in rows]
        return pb.ListSubscriptionsResponse(subscriptions=items, next_page_token=token, total_size=page.total)

    # -- payments ---------------------------------------------------------------------------

    async def ListPayments(self, request: pb.ListPaymentsRequest, context: Context) -> pb.ListPaymentsResponse:
        principal = require_principal()
        limit = page_size(request.page_size, default=20, maximum=100)
        wanted = payment_filter(request, principal)
        query = json.dumps([wanted.user_id, list(wanted.kinds), list(wanted.statuses), *window_key(request)])
        after = self.pages.keyset_after(request.page_token, query=query)
        rows, token = self.pages.keyset_page(
            await self.use.list_payments(wanted, after=after, limit=limit), limit, query=query, key=created
        )
        return pb.ListPaymentsResponse(payments=[payment_pb(r, principal) for r in rows], next_page_token=token)

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Context) -> pb.GetPaymentResponse:
        principal = require_principal()
        name = names.owned(request, principal=principal)
        row = await self.use.payment(name["user"], name["payment"])
        return pb.GetPaymentResponse(payment=payment_pb(row, principal))

    async def RefundPayment(self, request: pb.RefundPaymentRequest, context: Context) -> pb.RefundPaymentResponse:
        principal = require_principal()
        name = names.owned(request, principal=principal)
        user_id, payment_id = name["user"], name["payment"]
        if len(request.comment) > 1000:
            raise invalid("comment", "at most 1,000 characters")

        async def refund() -> pb.RefundPaymentResponse:
            order = RefundOrder(
                amount=cents_of(request.amount, "amount", allow_zero=False) if request.HasField("amount") else 0,
                reason=REFUND_REASONS.get(request.reason, ""),
                keep_credits=request.keep_credits,
                cancel_subscription=request.cancel_subscription,
                request_id=request.request_id,
            )
            row, entry = await self.use.refund_payment(user_id, payment_id, order)
            return pb.RefundPaymentResponse(payment=payment_pb(row, principal), reversal_entry=entry_pb(entry) if entry else None)

        return await self._once("RefundPayment", principal.user_id, request, request.request_id, pb.RefundPaymentResponse, refund)

    # -- credits --------------------------------------------------------------------------------

    async def GetCreditBalance(self, request: pb.GetCreditBalanceRequest, context: Context) -> pb.GetCreditBalanceResponse:
        principal = require_principal()
        user_id = names.owned(request, principal=principal)["user"]
        return pb.GetCreditBalanceResponse(credit_balance=balance_pb(user_id, await self.use.balance(user_id)))

    async def ListCreditLedgerEntries(
        self, request: pb.ListCreditLedgerEntriesRequest, context: Context
    ) -> pb.ListCreditLedgerEntriesResponse:
        principal = require_principal()
        user_id = names.owned(request, "parent", principal=principal)["user"]
        limit = page_size(request.page_size, default=50, maximum=200)
        kinds = enum_names(request.kinds, ENTRY_KIND_NAME, "kinds", "unknown kind")
        wanted = EntryFilter(user_id, kinds, request.reference, *window(request, "start_time", "end_time"))
        query = json.dumps([user_id, list(kinds), request.reference, *window_key(request)])
        after = self.pages.keyset_after(request.page_token, query=query)
        rows, token = self.pages.keyset_page(
            await self.use.ledger_entries(wanted, after=after, limit=limit), limit, query=query, key=created
        )
        return pb.ListCreditLedgerEntriesResponse(entries=[entry_pb(r) for r in rows], next_page_token=token)

    async def GetCreditLedgerEntry(
        self, request: pb.GetCreditLedgerEntryRequest, context: Context
    ) -> pb.GetCreditLedgerEntryResponse:
        principal = require_principal()
        name = names.owned(request, principal=principal)
        row = await self.use.ledger_entry(name["user"], name["entry"])
        return pb.GetCreditLedgerEntryResponse(entry=entry_pb(row))

    async def SpendCredits(self, request: pb.SpendCreditsRequest, context: Context) -> pb.SpendCreditsResponse:
        result = await self.use.spend(
            **ledger_call(request),
            amount=request.amount,
            reason=request.reason,
            reference=request.reference,
            min_plan=request.min_plan,
            metadata=dict(request.metadata),
        )
        return pb.SpendCreditsResponse(entry=entry_pb(result.entry), balance=result.balance)

    async def RefundCredits(self, request: pb.RefundCreditsRequest, context: Context) -> pb.RefundCreditsResponse:
        call = ledger_call(request)
        which = request.WhichOneof("spend")
        if which is None:
            raise invalid("spend", "name the spend_entry or the spend_request_id")
        entry_id = ""
        if which == "spend_entry":
            spent = names.parse(request, "spend_entry")
            if spent["user"] != call["user_id"]:
                raise invalid("spend_entry", "must be `users/{user}/creditLedger/{entry}` of the same user")
            entry_id = spent["entry"]
        elif not request.spend_request_id:
            raise invalid("spend_request_id", "must not be empty")
        result = await self.use.refund_spend(
            **call,
            spend_entry_id=entry_id,
            spend_request_id=request.spend_request_id,
            amount=request.amount,
            reason=request.reason[:200],
        )
        return pb.RefundCreditsResponse(entry=entry_pb(result.entry), balance=result.balance)

    async def GrantCredits(self, request: pb.GrantCreditsRequest, context: Context) -> pb.GrantCreditsResponse:
        result = await self.use.grant(
            **ledger_call(request),
            amount=request.amount,
            reason=request.reason,
            reference=request.reference[:500],
            expire_time=from_ts(request.expire_time) if request.HasField("expire_time") else None,
        )
        return pb.GrantCreditsResponse(entry=entry_pb(result.entry), balance=result.balance)

    async def AdjustCredits(self, request: pb.AdjustCreditsRequest, context: Context) -> pb.AdjustCreditsResponse:
        result = await self.use.adjust(
            **ledger_call(request),
            delta=request.delta,
            reason=request.reason,
            reference=request.reference[:500],
            allow_negative=request.allow_negative_balance,
        )
        return pb.AdjustCreditsResponse(entry=entry_pb(result.entry), balance=result.balance)

    # -- entitlements -------------------------------------------------------------------------------

    async def GetEntitlements(self, request: pb.GetEntitlementsRequest, context: Context) -> pb.GetEntitlementsResponse:
        principal = require_principal()
        user_id = names.owned(request, principal=principal)["user"]
        found, now = await self.use.entitlements([user_id])
        return pb.GetEntitlementsResponse(entitlements=entitlements_pb(user_id, found[user_id], now))

    async def BatchGetEntitlements(
        self, request: pb.BatchGetEntitlementsRequest, context: Context
    ) -> pb.BatchGetEntitlementsResponse:
        user_ids = entitlement_users(request)
        found, now = await self.use.entitlements(user_ids)
        return pb.BatchGetEntitlementsResponse(entitlements=[entitlements_pb(u, found[u], now) for u in user_ids])

    # -- webhooks -------------------------------------------------------------------------------------

    async def HandleStripeWebhook(
        self, request: pb.HandleStripeWebhookRequest, context: Context
    ) -> pb.HandleStripeWebhookResponse:
        event, outcome = await self.use.handle_webhook(request.body.data, current_metadata().get("stripe-signature", ""))
        return pb.HandleStripeWebhookResponse(event_id=str(event["id"]), event_type=str(event["type"]), outcome=OUTCOME[outcome])

    async def ListWebhookEvents(self, request: pb.ListWebhookEventsRequest, context: Context) -> pb.ListWebhookEventsResponse:
        limit = page_size(request.page_size, default=50, maximum=200)
        outcomes = [OUTCOME_NAME[o] for o in request.outcomes if o in OUTCOME_NAME and o != pb.WEBHOOK_OUTCOME_DUPLICATE]
        if len(outcomes) != len(request.outcomes):
            raise invalid("outcomes", "PROCESSED, IGNORED or FAILED")
        user_id = real_user(request, "user") if request.user else ""
        wanted = EventFilter(tuple(outcomes), request.type, user_id, *window(request, "start_time", "end_time"))
        query = json.dumps([outcomes, request.type, request.user, *window_key(request)])
        after = self.pages.keyset_after(request.page_token, query=query)
        rows = await self.use.webhook_events(wanted, after=after, limit=limit)
        rows, token = self.pages.keyset_page(rows, limit, query=query, key=received)
        return pb.ListWebhookEventsResponse(webhook_events=[webhook_event_pb(r) for r in rows], next_page_token=token)

    # -- revenue ----------------------------------------------------------------------------------------

    async def GetRevenueMetrics(self, request: pb.GetRevenueMetricsRequest, context: Context) -> pb.GetRevenueMetricsResponse:
        start, end, granularity = revenue_range(request)
        plans = [known_plan(plan, f"plans[{index}]") for index, plan in enumerate(request.plans)]
        figures = await self.use.revenue(start, end, granularity, plans)
        return pb.GetRevenueMetricsResponse(metrics=revenue_pb(figures))

    # -- account export and erasure ---------------------------------------------------------------

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        document = await self.use.export_user(real_user(request, "name"))
        return pb.ExportUserDataResponse(document=json_document(document))

    async def PurgeUserData(self, request: pb.PurgeUserDataRequest, context: Context) -> pb.PurgeUserDataResponse:
        if len(request.request_id) > 128:
            raise invalid("request_id", "at most 128 characters")
        erasure = await self.use.purge_user(real_user(request, "name"), request.request_id)
        return pb.PurgeUserDataResponse(erased=dispositions_pb(erasure.erased), retained=dispositions_pb(erasure.retained))
