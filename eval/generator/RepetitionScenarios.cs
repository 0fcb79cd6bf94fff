using static OpsAssistant.EvalGenerator.Healthy;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// N+1 and retry families: the same call repeated. An N+1 is a serial loop of successful calls that could have been one
/// batch; a retry storm is the same failing call re-sent with back-off. Each trace also holds a concurrent fan-out of
/// identical calls, which is not an N+1.
/// </summary>
internal static class RepetitionScenarios
{
    public static IEnumerable<Scenario> All() =>
    [
        new("n-plus-one-order-lookups", WireFormat.OtlpJson,
            "ts-order-service refreshes 40 orders one SELECT at a time (serial, ~9 ms each); the same request fans out 12 station-name lookups concurrently.",
            OrderLookups),
        new("n-plus-one-cart-redis", WireFormat.JaegerV1,
            "cartservice reads 60 cart items with one serial Redis HGET each; frontend converts 8 prices concurrently.",
            CartRedis),
        new("n-plus-one-recommendation-getproduct", WireFormat.ZipkinV2,
            "recommendationservice fetches 25 products with serial GetProduct RPCs; frontend's own 6 GetProduct calls overlap (a legitimate fan-out).",
            RecommendationGetProduct),
        new("retry-storm-payment-gateway", WireFormat.OtlpJson,
            "paymentservice re-sends POST /v1/charges 8 times with exponential back-off against an unreachable card gateway (connection refused, no server spans).",
            RetryPaymentGateway),
        new("retry-storm-verification-code", WireFormat.JaegerV1,
            "ts-auth-service re-sends the verification-code check 6 times, each timing out at 500 ms; ts-verification-code-service never records a span.",
            RetryVerification),
        new("retry-storm-kafka-publish", WireFormat.ZipkinV2,
            "checkout's orders publish is retried 7 times against a Kafka partition without a leader before the order completes.",
            RetryKafka),
        new("retry-storm-valkey-loading", WireFormat.Tempo,
            "cart's HMSET is re-sent 6 times while valkey answers LOADING; an unrelated product-catalog call failed once and was retried successfully.",
            RetryValkey),
    ];

    private static RootCauseLabel OrderLookups(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/orderservice/order/refresh", GenSpanKind.Server, 0, 0).Attr("http.request.method", "POST");
        var order = b.Rpc(gw, "ts-order-service", "POST /api/v1/orderservice/order/refresh", 1, 0, "http");
        var t = 2.0;
        Db(b, order, "SELECT ts.orders_by_account", "mysql", t, 4, "SELECT id FROM orders WHERE account_id = ?");
        t += 4.5;
        GenSpan? first = null;
        for (var i = 0; i < 40; i++)
        {
            var d = b.Jitter(6, 12);
            var q = Db(b, order, "SELECT ts.orders", "mysql", t, d, "SELECT * FROM orders WHERE id = ?");
            first ??= q;
            t += d + b.Jitter(0.2, 0.6);
        }

        // Station names for the refreshed orders: issued concurrently, the normal way to fan out.
        for (var i = 0; i < 12; i++)
        {
            var at = t + 0.2 + i * 0.15;
            var st = b.Rpc(order, "ts-station-service", "GET /api/v1/stationservice/stations/name/{stationIdForName}", at, b.Jitter(8, 14), "http");
            Db(b, st, "SELECT ts.station", "mysql", at + 1, 4);
        }

        t += 16;
        order.EndUs = b.Us(t);
        order.Parent!.EndUs = b.Us(t + 0.3);
        gw.EndUs = b.Us(t + 0.6);
        return RootCauseLabel.Of(first!, "n-plus-one");
    }

    private static RootCauseLabel CartRedis(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /cart", GenSpanKind.Server, 0, 0).Attr("http.request.method", "GET").Attr("http.route", "/cart");
        var cart = b.Rpc(fe, "cartservice", "hipstershop.CartService/GetCart", 1, 0);
        var t = 1.6;
        GenSpan? first = null;
        for (var i = 0; i < 60; i++)
        {
            var d = b.Jitter(0.9, 2.2);
            var q = Db(b, cart, "HGET", "redis", t, d);
            first ??= q;
            t += d + b.Jitter(0.05, 0.2);
        }

        cart.EndUs = b.Us(t + 0.2);
        cart.Parent!.EndUs = b.Us(t + 0.5);
        t += 1;
        for (var i = 0; i < 8; i++)
        {
            b.Rpc(fe, "currencyservice", "hipstershop.CurrencyService/Convert", t + i * 0.1, b.Jitter(2, 5));
        }

        t += 6;
        b.Rpc(fe, "shippingservice", "hipstershop.ShippingService/GetQuote", t, 3);
        fe.EndUs = b.Us(t + 4);
        return RootCauseLabel.Of(first!, "n-plus-one");
    }

    private static RootCauseLabel RecommendationGetProduct(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /product/{id}", GenSpanKind.Server, 0, 0).Attr("http.request.method", "GET").Attr("http.route", "/product/{id}");
        var t = BoutiqueFrontend(b, fe, 0.5);
        for (var i = 0; i < 6; i++)
        {
            b.Rpc(fe, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", t + 0.3 + i * 0.2, b.Jitter(2, 4));
        }

        t += 5;
        var rec = b.Rpc(fe, "recommendationservice", "hipstershop.RecommendationService/ListRecommendations", t, 0);
        var x = t + 0.8;
        b.Rpc(rec, "productcatalogservice", "hipstershop.ProductCatalogService/ListProducts", x, 3);
        x += 3.5;
        GenSpan? first = null;
        for (var i = 0; i < 25; i++)
        {
            var d = b.Jitter(2.5, 4.5);
            var server = b.Rpc(rec, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", x, d);
            first ??= server.Parent;
            x += d + b.Jitter(0.2, 0.5);
        }

        rec.EndUs = b.Us(x + 0.5);
        rec.Parent!.EndUs = b.Us(x + 0.9);
        fe.EndUs = b.Us(x + 2);
        return RootCauseLabel.Of(first!, "n-plus-one");
    }

    private static RootCauseLabel RetryPaymentGateway(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /cart/checkout", GenSpanKind.Server, 0, 0).Attr("http.request.method", "POST").Attr("http.route", "/cart/checkout");
        fe.Fail("failed to complete the order");
        var co = b.Rpc(fe, "checkoutservice", "hipstershop.CheckoutService/PlaceOrder", 1, 0);
        b.Rpc(co, "cartservice", "hipstershop.CartService/GetCart", 2, 5);
        b.Rpc(co, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", 8, 2);
        var pay = b.Rpc(co, "paymentservice", "hipstershop.PaymentService/Charge", 11, 0);
        var t = 12.0;
        GenSpan? first = null;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var call = b.Span(pay, "paymentservice", "POST /v1/charges", GenSpanKind.Client, t, b.Jitter(1, 3))
                .Attr("http.request.method", "POST").Attr("server.address", "api.cardgateway.example").Attr("server.port", 443L)
                .Attr("peer.service", "card-gateway").Attr("url.full", "https://api.cardgateway.example/v1/charges")
                .Attr("error.type", "ECONNREFUSED");
            if (attempt > 0)
            {
                call.Attr("http.request.resend_count", (long)attempt);
            }

            call.Throw("Error", "connect ECONNREFUSED 10.0.4.17:443");
            first ??= call;
            t = End(b, call) + 25 * Math.Pow(2, attempt);
        }

        pay.Fail("could not charge the card: gateway unreachable after 8 attempts");
        pay.EndUs = b.Us(t);
        TraceBuilder.FailRpc(pay, "could not charge the card", grpcCode: 14);
        pay.Parent!.EndUs = b.Us(t + 0.4);
        co.EndUs = b.Us(t + 1);
        TraceBuilder.FailRpc(co, "failed to charge card", grpcCode: 13);
        co.Parent!.EndUs = b.Us(t + 1.4);
        fe.EndUs = b.Us(t + 2);
        return RootCauseLabel.Of(first!, "retry");
    }

    private static RootCauseLabel RetryVerification(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/users/login", GenSpanKind.Server, 0, 0).Attr("http.request.method", "POST");
        var auth = b.Rpc(gw, "ts-auth-service", "POST /api/v1/users/login", 1, 0, "http");
        Db(b, auth, "SELECT ts.auth_user", "mongodb", 2, 3);
        var t = 6.0;
        GenSpan? first = null;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var call = b.Span(auth, "ts-auth-service", "GET /api/v1/verifycode/verify/{verifyCode}", GenSpanKind.Client, t, 500)
                .Attr("http.request.method", "GET").Attr("peer.service", "ts-verification-code-service")
                .Attr("server.address", "ts-verification-code-service").Attr("server.port", 15678L);
            if (attempt > 0)
            {
                call.Attr("http.request.resend_count", (long)attempt);
            }

            call.Throw("java.net.SocketTimeoutException", "Read timed out");
            first ??= call;
            t += 500 + 100 * (attempt + 1);
        }

        auth.EndUs = b.Us(t);
        auth.Throw("org.springframework.web.client.ResourceAccessException", "I/O error on GET request: Read timed out");
        TraceBuilder.FailRpc(auth, "HTTP 500", httpStatus: 500);
        auth.Parent!.EndUs = b.Us(t + 0.5);
        gw.EndUs = b.Us(t + 1);
        gw.Fail("500 INTERNAL_SERVER_ERROR");
        return RootCauseLabel.Of(first!, "retry");
    }

    private static RootCauseLabel RetryKafka(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /api/checkout", GenSpanKind.Server, 0, 0).Attr("http.request.method", "POST");
        var co = b.Rpc(fe, "checkout", "oteldemo.CheckoutService/PlaceOrder", 1, 0);
        b.Rpc(co, "cart", "oteldemo.CartService/GetCart", 2, 4);
        b.Rpc(co, "payment", "oteldemo.PaymentService/Charge", 7, 9);
        b.Rpc(co, "shipping", "POST /ship-order", 17, 3, "http");
        b.Rpc(co, "email", "POST /send_order_confirmation", 21, 12, "http");
        var t = 34.0;
        GenSpan? first = null;
        for (var attempt = 0; attempt < 7; attempt++)
        {
            var pub = b.Span(co, "checkout", "orders publish", GenSpanKind.Producer, t, b.Jitter(30, 60))
                .Attr("messaging.system", "kafka").Attr("messaging.destination.name", "orders").Attr("messaging.operation.type", "send")
                .Attr("peer.service", "kafka").Attr("messaging.kafka.retry_attempt", (long)attempt);
            pub.Throw("kafka.Error", "kafka server: In the middle of a leadership election, there is currently no leader for this partition");
            first ??= pub;
            t = End(b, pub) + 100 * (attempt + 1);
        }

        var ok = b.Span(co, "checkout", "orders publish", GenSpanKind.Producer, t, 4).Attr("messaging.system", "kafka").Attr("messaging.destination.name", "orders");
        b.Span(ok, "accounting", "orders process", GenSpanKind.Consumer, t + 8, 20).Attr("messaging.system", "kafka").FollowsFrom = true;
        co.EndUs = b.Us(t + 5);
        co.Parent!.EndUs = b.Us(t + 5.4);
        fe.EndUs = b.Us(t + 6);
        return RootCauseLabel.Of(first!, "retry");
    }

    private static RootCauseLabel RetryValkey(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /api/cart", GenSpanKind.Server, 0, 0).Attr("http.request.method", "POST");
        var pc1 = b.Rpc(fe, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", 1, 2);
        TraceBuilder.FailRpc(pc1, "connection reset", grpcCode: 14);
        b.Rpc(fe, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", 30, 2.5).Parent!.Attr("rpc.grpc.retry_attempt", 1L);
        var cart = b.Rpc(fe, "cart", "oteldemo.CartService/AddItem", 34, 0);
        Db(b, cart, "HGET", "redis", 35, 1.1).Attr("db.system.name", "valkey");
        var t = 37.0;
        GenSpan? first = null;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var set = Db(b, cart, "HMSET", "redis", t, b.Jitter(0.5, 1.2)).Attr("db.system.name", "valkey");
            set.Throw("StackExchange.Redis.RedisServerException", "LOADING Redis is loading the dataset in memory");
            first ??= set;
            t = End(b, set) + 50 * (attempt + 1);
        }

        Db(b, cart, "HMSET", "redis", t, 1.3).Attr("db.system.name", "valkey");
        Db(b, cart, "EXPIRE", "redis", t + 1.6, 0.6).Attr("db.system.name", "valkey");
        cart.EndUs = b.Us(t + 2.5);
        cart.Parent!.EndUs = b.Us(t + 2.9);
        fe.EndUs = b.Us(t + 4);
        return RootCauseLabel.Of(first!, "retry");
    }
}
