"""The Ads servicer: parse the request, call one use case, map its answer. Nothing else lives here."""

from __future__ import annotations

from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from services.ads import domain
from services.ads.mapping import Mapper, Parser, ad_filter, caller, disposition, named_user, period, video
from services.ads.usecases import AdsUseCases
from services.core.errors import invalid
from services.core.interceptors import Context


class AdsHandlers(ads_pb2_grpc.AdsServiceServicer):
    def __init__(self, usecases: AdsUseCases, currency: str) -> None:
        self.uc = usecases
        self.parse = Parser(currency)
        self.map = Mapper(currency)

    # campaigns

    async def CreateCampaign(self, request: pb.CreateCampaignRequest, context: Context) -> pb.CreateCampaignResponse:
        campaign = await self.uc.create_campaign(self.parse.campaign(request.campaign), request.request_id)
        return pb.CreateCampaignResponse(campaign=self.map.campaign(campaign))

    async def GetCampaign(self, request: pb.GetCampaignRequest, context: Context) -> pb.GetCampaignResponse:
        campaign = await self.uc.get_campaign(domain.parse_id(request.name, "campaigns"))
        return pb.GetCampaignResponse(campaign=self.map.campaign(campaign))

    async def ListCampaigns(self, request: pb.ListCampaignsRequest, context: Context) -> pb.ListCampaignsResponse:
        campaigns, token = await self.uc.list_campaigns(
            **self.parse.campaign_filter(request.filter), order=request.order_by, size=request.page_size, token=request.page_token
        )
        return pb.ListCampaignsResponse(campaigns=[self.map.campaign(c) for c in campaigns], next_page_token=token)

    async def UpdateCampaign(self, request: pb.UpdateCampaignRequest, context: Context) -> pb.UpdateCampaignResponse:
        campaign_id = domain.parse_id(request.campaign.name, "campaigns", "campaign.name")
        campaign = await self.uc.update_campaign(
            campaign_id, self.parse.campaign(request.campaign), list(request.update_mask.paths), request.campaign.etag
        )
        return pb.UpdateCampaignResponse(campaign=self.map.campaign(campaign))

    async def PauseCampaign(self, request: pb.PauseCampaignRequest, context: Context) -> pb.PauseCampaignResponse:
        return pb.PauseCampaignResponse(campaign=await self._campaign_state(request, domain.PAUSED))

    async def ResumeCampaign(self, request: pb.ResumeCampaignRequest, context: Context) -> pb.ResumeCampaignResponse:
        return pb.ResumeCampaignResponse(campaign=await self._campaign_state(request, domain.ACTIVE))

    async def DeleteCampaign(self, request: pb.DeleteCampaignRequest, context: Context) -> pb.DeleteCampaignResponse:
        return pb.DeleteCampaignResponse(campaign=await self._campaign_state(request, domain.ARCHIVED))

    async def _campaign_state(
        self, request: pb.PauseCampaignRequest | pb.ResumeCampaignRequest | pb.DeleteCampaignRequest, state: int
    ) -> pb.Campaign:
        return self.map.campaign(
            await self.uc.set_campaign_state(domain.parse_id(request.name, "campaigns"), state, request.etag)
        )

    # ads

    async def CreateAd(self, request: pb.CreateAdRequest, context: Context) -> pb.CreateAdResponse:
        ad = await self.uc.create_ad(self.parse.ad(request.ad), request.request_id)
        return pb.CreateAdResponse(ad=self.map.ad(ad))

    async def GetAd(self, request: pb.GetAdRequest, context: Context) -> pb.GetAdResponse:
        return pb.GetAdResponse(ad=self.map.ad(await self.uc.get_ad(domain.parse_id(request.name, "ads"))))

    async def ListAds(self, request: pb.ListAdsRequest, context: Context) -> pb.ListAdsResponse:
        ads, token = await self.uc.list_ads(
            **ad_filter(request.filter), order=request.order_by, size=request.page_size, token=request.page_token
        )
        return pb.ListAdsResponse(ads=[self.map.ad(a) for a in ads], next_page_token=token)

    async def UpdateAd(self, request: pb.UpdateAdRequest, context: Context) -> pb.UpdateAdResponse:
        ad_id = domain.parse_id(request.ad.name, "ads", "ad.name")
        ad = await self.uc.update_ad(
            ad_id, self.parse.ad(request.ad, campaign_required=False), list(request.update_mask.paths), request.ad.etag
        )
        return pb.UpdateAdResponse(ad=self.map.ad(ad))

    async def PauseAd(self, request: pb.PauseAdRequest, context: Context) -> pb.PauseAdResponse:
        return pb.PauseAdResponse(ad=await self._ad_state(request, domain.PAUSED))

    async def ResumeAd(self, request: pb.ResumeAdRequest, context: Context) -> pb.ResumeAdResponse:
        return pb.ResumeAdResponse(ad=await self._ad_state(request, domain.ACTIVE))

    async def DeleteAd(self, request: pb.DeleteAdRequest, context: Context) -> pb.DeleteAdResponse:
        return pb.DeleteAdResponse(ad=await self._ad_state(request, domain.ARCHIVED))

    async def _ad_state(self, request: pb.PauseAdRequest | pb.ResumeAdRequest | pb.DeleteAdRequest, state: int) -> pb.Ad:
        return self.map.ad(await self.uc.set_ad_state(domain.parse_id(request.name, "ads"), state, request.etag))

    # serving and recording

    async def SelectAd(self, request: pb.SelectAdRequest, context: Context) -> pb.SelectAdResponse:
        selection = await self.uc.select_ad(self.parse.ad_request(request), caller(context))
        return self.map.selection(selection)

    async def RecordImpression(self, request: pb.RecordImpressionRequest, context: Context) -> pb.RecordImpressionResponse:
        outcome = video(request.video_result) if request.HasField("video_result") else None
        recorded = await self.uc.record_impression(
            request.impression_token, request.device_id, outcome, request.request_id, caller(context)
        )
        return self.map.recorded(recorded)

    async def FinishImpression(self, request: pb.FinishImpressionRequest, context: Context) -> pb.FinishImpressionResponse:
        if not request.HasField("video_result"):
            raise invalid("video_result", "is required")
        impression_id, outcome = await self.uc.finish_impression(
            request.impression_token, request.device_id, video(request.video_result), request.request_id, caller(context)
        )
        return self.map.finished(impression_id, outcome)

    async def RecordClick(self, request: pb.RecordClickRequest, context: Context) -> pb.RecordClickResponse:
        result = await self.uc.record_click(request.impression_token, request.device_id, request.request_id, caller(context))
        return pb.RecordClickResponse(
            redirect_url=result.redirect_url, counted=result.counted, impression=f"impressions/{result.impression_id}"
        )

    async def GetImpression(self, request: pb.GetImpressionRequest, context: Context) -> pb.GetImpressionResponse:
        row = await self.uc.get_impression(domain.parse_id(request.name, "impressions"))
        return pb.GetImpressionResponse(impression=self.map.impression(row))

    async def ListImpressions(self, request: pb.ListImpressionsRequest, context: Context) -> pb.ListImpressionsResponse:
        rows, token = await self.uc.list_impressions(
            **self.parse.impression_filter(request), size=request.page_size, token=request.page_token
        )
        return pb.ListImpressionsResponse(impressions=[self.map.impression(r) for r in rows], next_page_token=token)

    # reports

    async def GetAdStats(self, request: pb.GetAdStatsRequest, context: Context) -> pb.GetAdStatsResponse:
        ad_id = domain.parse_id(request.ad, "ads", "ad")
        report = await self.uc.ad_stats(ad_id, **period(request), breakdown=request.breakdown)
        return self.map.report(report, pb.GetAdStatsResponse())

    async def GetCampaignStats(self, request: pb.GetCampaignStatsRequest, context: Context) -> pb.GetCampaignStatsResponse:
        campaign_id = domain.parse_id(request.campaign, "campaigns", "campaign")
        report = await self.uc.campaign_stats(campaign_id, **period(request), breakdown=request.breakdown)
        return self.map.report(report, pb.GetCampaignStatsResponse())

    async def ListAdStats(self, request: pb.ListAdStatsRequest, context: Context) -> pb.ListAdStatsResponse:
        filters = {**ad_filter(request.filter), "states": list(request.filter.states)}
        page = await self.uc.list_ad_stats(
            **period(request), filters=filters, order=request.order_by, size=request.page_size, token=request.page_token
        )
        return self.map.stats_page(page, pb.ListAdStatsResponse())

    async def ListCampaignStats(self, request: pb.ListCampaignStatsRequest, context: Context) -> pb.ListCampaignStatsResponse:
        page = await self.uc.list_campaign_stats(
            **period(request),
            **self.parse.campaign_filter(request.filter),
            order=request.order_by,
            size=request.page_size,
            token=request.page_token,
        )
        return self.map.stats_page(page, pb.ListCampaignStatsResponse())

    async def GetOverviewStats(self, request: pb.GetOverviewStatsRequest, context: Context) -> pb.GetOverviewStatsResponse:
        return self.map.overview(await self.uc.overview(**period(request)))

    # account export and erasure

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        export = await self.uc.export_user_data(named_user(request))
        return pb.ExportUserDataResponse(document=self.map.export_document(export))

    async def PurgeUserData(self, request: pb.PurgeUserDataRequest, context: Context) -> pb.PurgeUserDataResponse:
        erased, retained = await self.uc.purge_user_data(named_user(request), request.request_id)
        return pb.PurgeUserDataResponse(erased=[disposition(d) for d in erased], retained=[disposition(d) for d in retained])
