using static OpsAssistant.EvalGenerator.Healthy;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Latency family: one span on the critical path spends the time itself (self time). Decoys: thousands of healthy spans,
/// long asynchronous spans nobody waits for, and hosts whose clocks disagree.
/// </summary>
internal static class LatencyScenarios
{
    public static IEnumerable<Scenario> All() =>
    [
        new("latency-thousands-price-config", WireFormat.OtlpJson,
            "Cheapest-travel-plan search fans out over 96 trips (~2,500 spans, eight trips in flight at a time); one ts-price-service query on one trip takes 1.8 s instead of ~3 ms.",
            ThousandsPrice),
        new("latency-thousands-currency", WireFormat.Tempo,
            "Catalogue export prices 1,500 products (~6,000 spans, 50 in flight); one currencyservice Convert takes 2.2 s instead of ~2 ms.",
            ThousandsCurrency),
        new("latency-batch-decoy-recommendation", WireFormat.JaegerV1,
            "recommendation's ranking step burns 1.1 s on the request path; a 4 s FOLLOWS_FROM cache refresh and a 3.5 s Kafka consumer, both off the critical path, are longer.",
            BatchDecoy),
        new("latency-clock-skew-shipping", WireFormat.JaegerV3,
            "Online Boutique checkout: shippingservice GetQuote takes 650 ms of its own; cartservice's host clock runs 250 ms behind, so its spans start before their parents.",
            ClockSkewShipping),
        new("latency-skew-and-async-seats", WireFormat.ZipkinV2,
            "ts-seat-service's left-ticket count spends 1.2 s of its own time; ts-station-service's host runs 300 ms ahead (children after their parent ends) and a 3 s async notification consumer trails the request.",
            SkewAndAsyncSeats),
        new("latency-self-time-basic", WireFormat.OtlpJson,
            "ts-basic-service's travel query has 900 ms of self time between fast children; a nightly report batch in the same trace runs 6 s on a FOLLOWS_FROM link.",
            SelfTimeBasic),
    ];

    private static RootCauseLabel ThousandsPrice(TraceBuilder b)
    {
        const int trips = 96, inFlight = 8;
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/travelplanservice/travelPlan/cheapest", GenSpanKind.Server, 0, 0)
            .Attr("http.request.method", "POST").Attr("http.response.status_code", 200L);
        var plan = b.Rpc(gw, "ts-travel-plan-service", "POST /api/v1/travelplanservice/travelPlan/cheapest", 1, 0, "http");
        var slowTrip = 37;
        GenSpan? culprit = null;
        var lanes = new double[inFlight];
        for (var i = 0; i < lanes.Length; i++)
        {
            lanes[i] = 3;
        }

        for (var trip = 0; trip < trips; trip++)
        {
            var lane = Array.IndexOf(lanes, lanes.Min());
            var at = lanes[lane];
            var travel = b.Rpc(plan, "ts-travel-service", "GET /api/v1/travelservice/routes/{tripId}", at, 0, "http");
            var t = at + 1;
            foreach (var (svc, name) in new[]
            {
                ("ts-route-service", "GET /api/v1/routeservice/routes/{routeId}"),
                ("ts-train-service", "GET /api/v1/trainservice/trains/{id}"),
                ("ts-station-service", "GET /api/v1/stationservice/stations/id/{stationNameForId}"),
                ("ts-station-service", "GET /api/v1/stationservice/stations/name/{stationIdForName}"),
                ("ts-config-service", "GET /api/v1/configservice/configs/{configName}"),
            })
            {
                var d = b.Jitter(2.5, 5);
                var s = b.Rpc(travel, svc, name, t, d, "http");
                Db(b, s, "SELECT ts." + svc["ts-".Length..^"-service".Length], "mysql", t + 0.5, d - 1.2);
                t += d + 0.3;
            }

            var priceDb = trip == slowTrip ? 1800 : b.Jitter(2, 4);
            var price = b.Rpc(travel, "ts-price-service", "GET /api/v1/priceservice/prices/{routeId}/{trainType}", t, priceDb + 2, "http");
            var q = Db(b, price, "SELECT ts.price_config", "mysql", t + 0.8, priceDb);
            if (trip == slowTrip)
            {
                culprit = q.Attr("db.response.returned_rows", 1L);
            }

            t += priceDb + 2.3;
            var seat = b.Rpc(travel, "ts-seat-service", "POST /api/v1/seatservice/seats/left_tickets", t, b.Jitter(3, 6), "http");
            Db(b, seat, "SELECT ts.seat", "mysql", t + 0.6, 1.5);
            t = End(b, seat.Parent!) + 0.4;
            Close(b, travel, t);
            lanes[lane] = t + 0.5;
        }

        var end = lanes.Max() + 2;
        Close(b, plan, end);
        gw.EndUs = b.Us(end + 1);
        return RootCauseLabel.Of(culprit!, "latency");
    }

    private static RootCauseLabel ThousandsCurrency(TraceBuilder b)
    {
        const int products = 1500, inFlight = 50;
        var fe = b.Span(null, "frontend", "GET /api/catalog/export", GenSpanKind.Server, 0, 0).Attr("http.request.method", "GET").Attr("http.route", "/api/catalog/export");
        var lanes = Enumerable.Repeat(2.0, inFlight).ToArray();
        GenSpan? culprit = null;
        for (var i = 0; i < products; i++)
        {
            var lane = Array.IndexOf(lanes, lanes.Min());
            var at = lanes[lane];
            var pd = b.Jitter(1.2, 3);
            b.Rpc(fe, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", at, pd);
            var cd = i == 911 ? 2200 : b.Jitter(0.8, 2.5);
            var conv = b.Rpc(fe, "currencyservice", "hipstershop.CurrencyService/Convert", at + pd + 0.2, cd);
            if (i == 911)
            {
                culprit = conv;
            }

            lanes[lane] = at + pd + cd + 0.4;
        }

        fe.EndUs = b.Us(lanes.Max() + 1);
        return RootCauseLabel.Of(culprit!, "latency");
    }

    private static RootCauseLabel BatchDecoy(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /api/recommendations", GenSpanKind.Server, 0, 1240).Attr("http.request.method", "GET").Attr("http.route", "/api/recommendations");
        var rec = b.Rpc(fe, "recommendation", "/oteldemo.RecommendationService/ListRecommendations", 2, 1230);
        var pc = b.Rpc(rec, "product-catalog", "oteldemo.ProductCatalogService/ListProducts", 4, 28);
        Db(b, pc, "SELECT catalog.products", "postgresql", 5, 24);
        var rank = b.Span(rec, "recommendation", "rank_recommendations", GenSpanKind.Internal, 34, 1100)
            .Attr("app.products.count", 10L).Attr("code.function", "get_product_list");
        b.Span(rank, "recommendation", "load_embeddings", GenSpanKind.Internal, 35, 6);
        b.Span(rec, "recommendation", "get_product_list", GenSpanKind.Internal, 1136, 90).Attr("app.filtered_products.count", 5L);
        var refresh = b.Span(rec, "recommendation", "refresh_model_cache", GenSpanKind.Internal, 40, 4000);
        refresh.FollowsFrom = true;
        Db(b, refresh, "SCAN", "redis", 45, 3900);
        var pub = b.Span(fe, "frontend", "analytics publish", GenSpanKind.Producer, 1236, 2).Attr("messaging.system", "kafka").Attr("messaging.destination.name", "analytics");
        var consume = b.Span(pub, "accounting", "analytics process", GenSpanKind.Consumer, 1300, 3500).Attr("messaging.system", "kafka").Attr("messaging.destination.name", "analytics");
        consume.FollowsFrom = true;
        return RootCauseLabel.Of(rank, "latency");
    }

    private static RootCauseLabel ClockSkewShipping(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /cart/checkout", GenSpanKind.Server, 0, 760).Attr("http.request.method", "POST").Attr("http.route", "/cart/checkout");
        var co = b.Rpc(fe, "checkoutservice", "hipstershop.CheckoutService/PlaceOrder", 1, 755);
        var cart = b.Rpc(co, "cartservice", "hipstershop.CartService/GetCart", 3, 12);
        var redis = Db(b, cart, "HGET", "redis", 5, 2);
        var empty = b.Rpc(co, "cartservice", "hipstershop.CartService/EmptyCart", 720, 14);
        var redis2 = Db(b, empty, "DEL", "redis", 722, 3);
        // cartservice's host clock is 250 ms behind: shift every span it recorded.
        foreach (var span in new[] { cart, redis, empty, redis2 })
        {
            span.StartUs -= 250_000;
            span.EndUs -= 250_000;
        }

        var x = 17.0;
        for (var i = 0; i < 4; i++)
        {
            b.Rpc(co, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", x, b.Jitter(1, 3));
            x += 3.4;
            b.Rpc(co, "currencyservice", "hipstershop.CurrencyService/Convert", x, b.Jitter(0.8, 2));
            x += 2.5;
        }

        var quote = b.Rpc(co, "shippingservice", "hipstershop.ShippingService/GetQuote", x + 1, 652);
        quote.Attr("app.shipping.items", 4L);
        b.Rpc(co, "paymentservice", "hipstershop.PaymentService/Charge", x + 656, 18);
        b.Rpc(co, "shippingservice", "hipstershop.ShippingService/ShipOrder", x + 676, 5);
        b.Rpc(co, "emailservice", "hipstershop.EmailService/SendOrderConfirmation", x + 683, 20);
        return RootCauseLabel.Of(quote, "latency");
    }

    private static RootCauseLabel SkewAndAsyncSeats(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "GET /api/v1/travelservice/trips/left", GenSpanKind.Server, 0, 1320).Attr("http.request.method", "GET");
        var travel = b.Rpc(gw, "ts-travel-service", "GET /api/v1/travelservice/trips/left", 1, 1316, "http");
        var skewed = new List<GenSpan>();
        var t = 3.0;
        for (var i = 0; i < 3; i++)
        {
            var st = b.Rpc(travel, "ts-station-service", "GET /api/v1/stationservice/stations/id/{stationNameForId}", t, 4, "http");
            skewed.Add(st);
            skewed.Add(Db(b, st, "SELECT ts.station", "mysql", t + 0.7, 2.4));
            t += 4.6;
        }

        // ts-station-service's host runs 300 ms ahead: its spans land after their callers end.
        foreach (var span in skewed)
        {
            span.StartUs += 300_000;
            span.EndUs += 300_000;
        }

        t = TrainTicketTrip(b, travel, t + 1);
        var seats = b.Rpc(travel, "ts-seat-service", "POST /api/v1/seatservice/seats/left_tickets", t + 1, 1225, "http");
        b.Rpc(seats, "ts-config-service", "GET /api/v1/configservice/configs/{configName}", t + 3, 4, "http");
        Db(b, seats, "SELECT ts.seat", "mysql", t + 8, 6);
        var pub = b.Span(travel, "ts-travel-service", "travel.searched publish", GenSpanKind.Producer, 1300, 2).Attr("messaging.system", "rabbitmq");
        b.Span(pub, "ts-notification-service", "travel.searched process", GenSpanKind.Consumer, 1340, 3000).Attr("messaging.system", "rabbitmq");
        return RootCauseLabel.Of(seats, "latency");
    }

    private static RootCauseLabel SelfTimeBasic(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/travelservice/trips/left", GenSpanKind.Server, 0, 1010).Attr("http.request.method", "POST");
        var travel = b.Rpc(gw, "ts-travel-service", "POST /api/v1/travelservice/trips/left", 1, 1006, "http");
        var ti = b.Rpc(travel, "ts-ticketinfo-service", "POST /api/v1/ticketinfoservice/ticketinfo", 3, 1000, "http");
        var basic = b.Rpc(ti, "ts-basic-service", "POST /api/v1/basicservice/basic/travels", 4, 997, "http");
        var t = 5.0;
        foreach (var (svc, name) in new[]
        {
            ("ts-station-service", "POST /api/v1/stationservice/stations/idlist"),
            ("ts-train-service", "POST /api/v1/trainservice/trains/byNames"),
            ("ts-route-service", "POST /api/v1/routeservice/routes/byIds"),
        })
        {
            b.Rpc(basic, svc, name, t, b.Jitter(6, 12), "http");
            t += 13;
        }

        b.Rpc(basic, "ts-price-service", "POST /api/v1/priceservice/prices/byRouteIdsAndTrainTypes", 950, 12, "http");
        var report = b.Span(gw, "ts-order-service", "nightly-order-report", GenSpanKind.Internal, 20, 6000).Attr("job.name", "order-report");
        report.FollowsFrom = true;
        Db(b, report, "SELECT ts.orders", "mysql", 30, 5800);
        return RootCauseLabel.Of(basic, "latency");
    }

    private static void Close(TraceBuilder b, GenSpan server, double endMs)
    {
        server.EndUs = b.Us(endMs);
        server.Parent!.EndUs = b.Us(endMs + 0.3);
    }
}
