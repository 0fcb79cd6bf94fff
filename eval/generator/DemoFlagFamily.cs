using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// The OpenTelemetry demo's fault flags (flagd <c>demo.flagd.json</c>), one per variant, in the demo's own service and
/// operation names: adFailure, cartFailure, productCatalogFailure, paymentUnreachable, paymentFailure,
/// recommendationCacheFailure, kafkaQueueProblems and imageSlowLoad. Durations, counts and the healthy calls around the
/// fault are drawn per variant.
/// </summary>
internal static class DemoFlagFamily
{
    private static readonly string[] Products = ["OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O", "L9ECAV7KIM", "2ZYFJ3GM2N", "0PUK6V6EV0", "LS4PSXUNUM", "9SIQT8TOJO"];

    public static IEnumerable<Family> All() =>
    [
        new("otel-demo-flags", "An OpenTelemetry demo fault flag switched on.", 8, Build),
    ];

    private static RootCauseLabel Build(Shape s, int variant)
    {
        var b = s.B;
        var root = b.Span(null, "frontend-proxy", "ingress", GenSpanKind.Server, 0, 0).Attr("http.request.method", "GET").Attr("upstream_cluster", "frontend");
        var (label, summary) = variant switch
        {
            0 => AdFailure(s, root),
            1 => CartFailure(s, root),
            2 => ProductCatalogFailure(s, root),
            3 => PaymentUnreachable(s, root),
            4 => PaymentFailure(s, root),
            5 => RecommendationCache(s, root),
            6 => KafkaQueueProblems(s, root),
            _ => ImageSlowLoad(s, root),
        };
        b.Summary = summary;
        return label;
    }

    private static GenSpan Frontend(Shape s, GenSpan proxy, string route, string verb = "GET")
    {
        var egress = s.B.Span(proxy, "frontend-proxy", "router frontend egress", GenSpanKind.Client, 0.2, 0);
        return s.B.Span(egress, "frontend", verb + " " + route, GenSpanKind.Server, 0.5, 0).Attr("http.request.method", verb).Attr("http.route", route);
    }

    /// <summary>A checkout through the frontend: PlaceOrder, which first reads the cart. Returns when the cart read ends (ms).</summary>
    private static (GenSpan Frontend, GenSpan Checkout, double At) Checkout(Shape s, GenSpan proxy)
    {
        var fe = Frontend(s, proxy, "/api/checkout", "POST");
        var co = s.B.Rpc(fe, "checkout", "oteldemo.CheckoutService/PlaceOrder", 1, 0);
        return (fe, co, s.End(s.B.Rpc(co, "cart", "oteldemo.CartService/GetCart", 1.5, s.B.Jitter(2, 6)).Parent!) + 0.3);
    }

    private static double Chatter(Shape s, GenSpan fe, double at)
    {
        var t = at;
        for (var i = s.R.Next(1, 4); i > 0; i--)
        {
            var (svc, op) = s.R.Next(3) switch
            {
                0 => ("currency", "oteldemo.CurrencyService/Convert"),
                1 => ("currency", "oteldemo.CurrencyService/GetSupportedCurrencies"),
                _ => ("cart", "oteldemo.CartService/GetCart"),
            };
            t = s.End(s.B.Rpc(fe, svc, op, t, s.B.Jitter(1, 6)).Parent!) + s.B.Jitter(0.1, 0.5);
        }

        return t;
    }

    private static (RootCauseLabel, string) AdFailure(Shape s, GenSpan proxy)
    {
        var fe = Frontend(s, proxy, "/api/data");
        var t = Chatter(s, fe, 1);
        var ad = s.B.Rpc(fe, "ad", "oteldemo.AdService/GetAds", t + 0.3, s.B.Jitter(2, 9));
        ad.Attr("app.ads.contextKeys", "[travel]").Throw("io.grpc.StatusRuntimeException", "UNAVAILABLE");
        TraceBuilder.FailRpc(ad, "UNAVAILABLE", grpcCode: 14);
        fe.Fail("failed to retrieve ads");
        Replace(fe, 500);
        return (RootCauseLabel.Of(ad, "error"), "OpenTelemetry demo adFailure: ad's GetAds fails with UNAVAILABLE and frontend's /api/data answers 500.");
    }

    private static (RootCauseLabel, string) CartFailure(Shape s, GenSpan proxy)
    {
        var (fe, co, t) = Checkout(s, proxy);
        foreach (var _ in Enumerable.Range(0, s.R.Next(1, 4)))
        {
            t = s.End(s.B.Rpc(co, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", t, s.B.Jitter(1, 4)).Parent!) + 0.2;
        }

        t = s.End(s.B.Rpc(co, "payment", "oteldemo.PaymentService/Charge", t, s.B.Jitter(5, 20)).Parent!) + 0.3;
        var empty = s.B.Rpc(co, "cart", "oteldemo.CartService/EmptyCart", t, s.B.Jitter(5, 60));
        empty.Throw("StackExchange.Redis.RedisConnectionException", "It was not possible to connect to the redis server(s). UnableToConnect on badhost:1234");
        TraceBuilder.FailRpc(empty, "Can't access cart storage.", grpcCode: 9);
        FailCheckout(fe, co, empty.Parent!, "failed to empty user cart during checkout");
        return (RootCauseLabel.Of(empty, "error"), "OpenTelemetry demo cartFailure: cart's EmptyCart cannot reach its storage (badhost:1234) and the checkout fails.");
    }

    private static (RootCauseLabel, string) ProductCatalogFailure(Shape s, GenSpan proxy)
    {
        var fe = Frontend(s, proxy, "/api/recommendations");
        var t = Chatter(s, fe, 1);
        var count = 3 + s.R.Next(5);
        var bad = s.R.Next(count);
        GenSpan? failed = null;
        for (var i = 0; i < count; i++)
        {
            var pc = s.B.Rpc(fe, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", t + i * 0.15, s.B.Jitter(1, 4));
            pc.Attr("app.product.id", i == bad ? "OLJCESPC7Z" : Products[1 + i % (Products.Length - 1)]);
            if (i == bad)
            {
                pc.Throw("Error", "Product Catalog Fail Feature Flag Enabled");
                TraceBuilder.FailRpc(pc, "Error: Product Catalog Fail Feature Flag Enabled", grpcCode: 13);
                failed = pc;
            }
        }

        fe.Fail("failed to get product");
        Replace(fe, 500);
        return (RootCauseLabel.Of(failed!, "error"),
            string.Create(CultureInfo.InvariantCulture, $"OpenTelemetry demo productCatalogFailure: one of {count} concurrent GetProduct calls (product OLJCESPC7Z) fails."));
    }

    private static (RootCauseLabel, string) PaymentUnreachable(Shape s, GenSpan proxy)
    {
        var (fe, co, t) = Checkout(s, proxy);
        t = s.End(s.B.Rpc(co, "currency", "oteldemo.CurrencyService/Convert", t, s.B.Jitter(1, 3)).Parent!) + 0.3;
        var charge = s.B.Span(co, "checkout", "oteldemo.PaymentService/Charge", GenSpanKind.Client, t, s.B.Jitter(1, 30))
            .Attr("rpc.system", "grpc").Attr("rpc.service", "oteldemo.PaymentService").Attr("rpc.method", "Charge")
            .Attr("server.address", "badAddress").Attr("server.port", 50051L).Attr("rpc.grpc.status_code", 14L);
        charge.Fail("rpc error: code = Unavailable desc = name resolver error: produced zero addresses");
        FailCheckout(fe, co, charge, "failed to charge card: could not charge the card");
        return (RootCauseLabel.Of(charge, "dependency"), "OpenTelemetry demo paymentUnreachable: checkout's Charge call goes to badAddress:50051 and fails with Unavailable; payment records nothing.");
    }

    private static (RootCauseLabel, string) PaymentFailure(Shape s, GenSpan proxy)
    {
        var (fe, co, t) = Checkout(s, proxy);
        t = s.End(s.B.Rpc(co, "quote", "POST /getquote", t, s.B.Jitter(2, 8), "http").Parent!) + 0.3;
        var pay = s.B.Rpc(co, "payment", "oteldemo.PaymentService/Charge", t, s.B.Jitter(3, 25));
        pay.Attr("app.loyalty.level", "gold").Throw("Error", "Payment request failed. Invalid token. app.loyalty.level=gold");
        TraceBuilder.FailRpc(pay, "Payment request failed. Invalid token.", grpcCode: 13);
        FailCheckout(fe, co, pay.Parent!, "failed to charge card");
        return (RootCauseLabel.Of(pay, "error"), "OpenTelemetry demo paymentFailure: payment's Charge rejects the request (invalid token) and the checkout fails.");
    }

    private static (RootCauseLabel, string) RecommendationCache(Shape s, GenSpan proxy)
    {
        var fe = Frontend(s, proxy, "/api/recommendations");
        var t = Chatter(s, fe, 1);
        var rec = s.B.Rpc(fe, "recommendation", "oteldemo.RecommendationService/ListRecommendations", t + 0.3, 0);
        var slow = s.B.Jitter(600, 2500);
        var list = s.B.Span(rec, "recommendation", "get_product_list", GenSpanKind.Internal, t + 0.8, slow)
            .Attr("app.recommendation.cache_enabled", true).Attr("app.cache_hit", false).Attr("app.products.count", (long)(200_000 + s.R.Next(800_000)));
        s.B.Rpc(list, "product-catalog", "oteldemo.ProductCatalogService/ListProducts", t + 1, s.B.Jitter(2, 5));
        return (RootCauseLabel.Of(list, "resource"),
            string.Create(CultureInfo.InvariantCulture, $"OpenTelemetry demo recommendationCacheFailure: recommendation's leaking cache makes get_product_list take ~{slow:0} ms."));
    }

    private static (RootCauseLabel, string) KafkaQueueProblems(Shape s, GenSpan proxy)
    {
        var (fe, co, t) = Checkout(s, proxy);
        t = s.End(s.B.Rpc(co, "payment", "oteldemo.PaymentService/Charge", t, s.B.Jitter(5, 20)).Parent!) + 0.3;
        var pub = s.B.Span(co, "checkout", "orders publish", GenSpanKind.Producer, t, s.B.Jitter(1, 4))
            .Attr("messaging.system", "kafka").Attr("messaging.destination.name", "orders").Attr("messaging.operation.type", "send");
        var lag = s.B.Jitter(2000, 8000);
        var accounting = s.B.Span(pub, "accounting", "orders process", GenSpanKind.Consumer, s.End(pub) + s.B.Jitter(5, 40), s.B.Jitter(5, 20))
            .Attr("messaging.system", "kafka").Attr("messaging.destination.name", "orders").Attr("messaging.consumer.group.name", "accounting");
        accounting.FollowsFrom = true;
        var fraud = s.B.Span(pub, "fraud-detection", "orders consume", GenSpanKind.Consumer, s.End(pub) + lag, s.B.Jitter(5, 30))
            .Attr("messaging.system", "kafka").Attr("messaging.destination.name", "orders").Attr("messaging.consumer.group.name", "fraud-detection")
            .Attr("messaging.kafka.consumer.lag", (long)(5000 + s.R.Next(50_000)));
        fraud.FollowsFrom = true;
        return (RootCauseLabel.Of(fraud, "latency"),
            string.Create(CultureInfo.InvariantCulture, $"OpenTelemetry demo kafkaQueueProblems: the orders topic is flooded and fraud-detection consumes the order ~{lag:0} ms after it was published."));
    }

    private static (RootCauseLabel, string) ImageSlowLoad(Shape s, GenSpan proxy)
    {
        var delay = s.B.Jitter(1000, 5000);
        var egress = s.B.Span(proxy, "frontend-proxy", "router image-provider egress", GenSpanKind.Client, 0.3, delay + 4)
            .Attr("upstream_cluster", "image-provider").Attr("http.request.method", "GET");
        var file = Products[s.R.Next(Products.Length)].ToLowerInvariant() + ".jpg";
        s.B.Span(egress, "image-provider", "GET /images/" + file, GenSpanKind.Server, 0.3 + delay + 0.5, s.B.Jitter(1, 3)).Attr("http.request.method", "GET");
        return (RootCauseLabel.Of(egress, "latency"),
            string.Create(CultureInfo.InvariantCulture, $"OpenTelemetry demo imageSlowLoad: the proxy's fault filter delays the image-provider route ~{delay:0} ms before forwarding; the image itself is served fast."));
    }

    /// <summary>The checkout fails once <paramref name="failed"/> has, and the frontend answers 500.</summary>
    private static void FailCheckout(GenSpan fe, GenSpan checkout, GenSpan failed, string message)
    {
        checkout.EndUs = failed.EndUs + 400;
        TraceBuilder.FailRpc(checkout, message, grpcCode: 13);
        checkout.Parent!.EndUs = checkout.EndUs + 300;
        fe.Fail("failed to place order");
        Replace(fe, 500);
    }

    private static void Replace(GenSpan span, long status) => TraceBuilder.Replace(span, "http.response.status_code", status);
}
