using static OpsAssistant.EvalGenerator.Healthy;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Contention, dependency and resource families: time lost waiting on a lock or pool, on a remote system that records
/// no spans of its own, or to the runtime/host (GC pause, CPU throttling) as shown by attributes and events on the span.
/// </summary>
internal static class WaitScenarios
{
    public static IEnumerable<Scenario> All() =>
    [
        new("contention-seat-lock", WireFormat.JaegerV3,
            "ts-seat-service waits 1.4 s in SeatLock.acquire for a seat-inventory lock held by concurrent bookings; a 200 ms order query nearby is slow but normal.",
            SeatLock),
        new("contention-hikari-pool", WireFormat.OtlpJson,
            "ts-order-service waits 1.8 s in HikariPool.getConnection (pool of 10, 37 pending) before a 15 ms query.",
            HikariPool),
        new("contention-npgsql-pool-accounting", WireFormat.ZipkinV2,
            "accounting's order consumer waits 2.1 s for a PostgreSQL connection; the INSERTs after it are fast.",
            NpgsqlPool),
        new("contention-catalog-mutex", WireFormat.Tempo,
            "product-catalog's GetProduct blocks 900 ms on the catalogue mutex while a reload holds it; its other children are sub-millisecond.",
            CatalogMutex),
        new("dependency-slow-card-processor", WireFormat.Tempo,
            "paymentservice's call to the external card processor (peer.service, server.address, no server span) takes 2.6 s.",
            SlowCardProcessor),
        new("dependency-managed-postgres", WireFormat.JaegerV1,
            "product-catalog's SELECT on a managed PostgreSQL (db.system, server.address) takes 1.9 s; nothing below it is traced.",
            ManagedPostgres),
        new("dependency-smtp-relay", WireFormat.JaegerV3,
            "ts-notification-service's SMTP send to an external relay takes 3.2 s; the rest of the request is quick.",
            SmtpRelay),
        new("resource-jvm-gc-pause", WireFormat.OtlpJson,
            "ts-travel-service's handler stalls 1.65 s with no child running; a jvm.gc event on the span records a G1 full collection of that length.",
            JvmGcPause),
        new("resource-cpu-throttling", WireFormat.JaegerV1,
            "currencyservice's Convert takes 800 ms (normally ~2 ms); container.cpu.throttled attributes and a cpu.throttled event show a 0.2-CPU limit exhausted.",
            CpuThrottling),
        new("resource-dotnet-gc-cart", WireFormat.ZipkinV2,
            "cart's GetCart takes 1.2 s with a gen2 blocking GC recorded on the span; its Redis call is 1 ms.",
            DotnetGc),
    ];

    private static RootCauseLabel SeatLock(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/preserveservice/preserve", GenSpanKind.Server, 0, 1720).Attr("http.request.method", "POST");
        var pre = b.Rpc(gw, "ts-preserve-service", "POST /api/v1/preserveservice/preserve", 1, 1716, "http");
        var t = TrainTicketPreamble(b, pre, 2);
        var order = b.Rpc(pre, "ts-order-service", "POST /api/v1/orderservice/order/tickets", t + 1, 205, "http");
        Db(b, order, "SELECT ts.orders", "mysql", t + 2, 200, "SELECT * FROM orders WHERE travel_date = ? AND train_number = ?");
        t += 207;
        var seat = b.Rpc(pre, "ts-seat-service", "POST /api/v1/seatservice/seats", t, 1430, "http");
        var wait = b.Span(seat, "ts-seat-service", "SeatLock.acquire", GenSpanKind.Internal, t + 1, 1400)
            .Attr("lock.name", "seat_inventory:G1234:2025-06-01").Attr("lock.wait_ms", 1400L).Attr("code.function", "SeatServiceImpl.distributeSeat");
        Db(b, seat, "SELECT ts.seat", "mysql", t + 1402, 9);
        Db(b, seat, "UPDATE ts.seat", "mysql", t + 1412, 8);
        b.Rpc(pre, "ts-notification-service", "POST /api/v1/notifyservice/notification/preserve_success", t + 1432, 30, "http");
        return RootCauseLabel.Of(wait, "contention");
    }

    private static RootCauseLabel HikariPool(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/orderservice/order/query", GenSpanKind.Server, 0, 1850).Attr("http.request.method", "POST");
        var order = b.Rpc(gw, "ts-order-service", "POST /api/v1/orderservice/order/query", 1, 1846, "http");
        var wait = b.Span(order, "ts-order-service", "HikariPool.getConnection", GenSpanKind.Internal, 3, 1800)
            .Attr("db.client.connection.pool.name", "HikariPool-1").Attr("db.client.connection.pool.max", 10L)
            .Attr("db.client.connection.pending_requests", 37L).Attr("db.system", "mysql");
        wait.Event("connection acquired", b.Us(1803), ("wait_ms", 1800L));
        Db(b, order, "SELECT ts.orders", "mysql", 1804, 15);
        b.Rpc(order, "ts-station-service", "POST /api/v1/stationservice/stations/namelist", 1821, 20, "http");
        return RootCauseLabel.Of(wait, "contention");
    }

    private static RootCauseLabel NpgsqlPool(TraceBuilder b)
    {
        var consume = b.Span(null, "accounting", "orders process", GenSpanKind.Consumer, 0, 2160)
            .Attr("messaging.system", "kafka").Attr("messaging.destination.name", "orders").Attr("messaging.consumer.group.name", "accounting");
        var wait = b.Span(consume, "accounting", "connection-pool.acquire", GenSpanKind.Internal, 2, 2100)
            .Attr("db.client.connection.pool.name", "Host=postgresql;Database=otel").Attr("db.client.connection.pool.max", 20L)
            .Attr("db.client.connection.state", "used");
        var t = 2103.0;
        foreach (var table in new[] { "accounting.order", "accounting.orderitem", "accounting.orderitem", "accounting.shipping" })
        {
            Db(b, consume, "INSERT " + table, "postgresql", t, b.Jitter(4, 9), $"INSERT INTO {table} VALUES (@p0, @p1, @p2)");
            t += 12;
        }

        return RootCauseLabel.Of(wait, "contention");
    }

    private static RootCauseLabel CatalogMutex(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /api/products/{productId}", GenSpanKind.Server, 0, 930).Attr("http.request.method", "GET");
        b.Rpc(fe, "currency", "oteldemo.CurrencyService/GetSupportedCurrencies", 1, 1.5);
        var pc = b.Rpc(fe, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", 3.5, 920);
        var wait = b.Span(pc, "product-catalog", "catalog.mu.Lock", GenSpanKind.Internal, 4, 905)
            .Attr("code.function", "main.(*productCatalog).GetProduct").Attr("lock.holder", "reloadCatalog");
        b.Span(pc, "product-catalog", "catalog.lookup", GenSpanKind.Internal, 910, 0.4);
        b.Rpc(fe, "currency", "oteldemo.CurrencyService/Convert", 925, 1.6);
        return RootCauseLabel.Of(wait, "contention");
    }

    private static RootCauseLabel SlowCardProcessor(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /cart/checkout", GenSpanKind.Server, 0, 2860).Attr("http.request.method", "POST");
        var t = BoutiqueFrontend(b, fe, 0.5);
        var co = b.Rpc(fe, "checkoutservice", "hipstershop.CheckoutService/PlaceOrder", t + 1, 2820);
        b.Rpc(co, "cartservice", "hipstershop.CartService/GetCart", t + 2, 5);
        b.Rpc(co, "shippingservice", "hipstershop.ShippingService/GetQuote", t + 8, 180).Attr("app.note", "quote provider batches requests every 150 ms");
        var pay = b.Rpc(co, "paymentservice", "hipstershop.PaymentService/Charge", t + 190, 2610);
        var call = b.Span(pay, "paymentservice", "POST /v1/payment_intents", GenSpanKind.Client, t + 192, 2600)
            .Attr("http.request.method", "POST").Attr("peer.service", "card-processor").Attr("server.address", "api.card-processor.example")
            .Attr("server.port", 443L).Attr("url.full", "https://api.card-processor.example/v1/payment_intents").Attr("http.response.status_code", 200L);
        b.Rpc(co, "emailservice", "hipstershop.EmailService/SendOrderConfirmation", t + 2802, 3);
        return RootCauseLabel.Of(call, "dependency");
    }

    private static RootCauseLabel ManagedPostgres(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /api/products", GenSpanKind.Server, 0, 1930).Attr("http.request.method", "GET");
        var pc = b.Rpc(fe, "product-catalog", "oteldemo.ProductCatalogService/ListProducts", 2, 1920);
        var q = Db(b, pc, "SELECT catalog.products", "postgresql", 4, 1905, "SELECT id, name, description, picture, price_usd, categories FROM catalog.products");
        TraceBuilder.Replace(q, "server.address", "catalog-db.cluster-abc123.eu-west-1.rds.example");
        q.Attr("peer.service", "catalog-db");
        b.Rpc(fe, "currency", "oteldemo.CurrencyService/Convert", 1924, 2);
        var ad = b.Rpc(fe, "ad", "oteldemo.AdService/GetAds", 1926, 3);
        b.Span(ad, "ad", "getAdsByCategory", GenSpanKind.Internal, 1926.5, 1);
        return RootCauseLabel.Of(q, "dependency");
    }

    private static RootCauseLabel SmtpRelay(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/notifyservice/notification/order_create_success", GenSpanKind.Server, 0, 3260).Attr("http.request.method", "POST");
        var notify = b.Rpc(gw, "ts-notification-service", "POST /api/v1/notifyservice/notification/order_create_success", 1, 3256, "http");
        Db(b, notify, "SELECT ts.notify_template", "mysql", 2, 4);
        b.Span(notify, "ts-notification-service", "render-template", GenSpanKind.Internal, 7, 18);
        var smtp = b.Span(notify, "ts-notification-service", "smtp send", GenSpanKind.Client, 26, 3200)
            .Attr("peer.service", "smtp-relay").Attr("server.address", "smtp.mail-relay.example").Attr("server.port", 587L)
            .Attr("network.protocol.name", "smtp");
        b.Span(notify, "ts-notification-service", "audit-log write", GenSpanKind.Internal, 3228, 20);
        return RootCauseLabel.Of(smtp, "dependency");
    }

    private static RootCauseLabel JvmGcPause(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/travelservice/trips/left", GenSpanKind.Server, 0, 1760).Attr("http.request.method", "POST");
        var travel = b.Rpc(gw, "ts-travel-service", "POST /api/v1/travelservice/trips/left", 1, 1756, "http");
        var t = TrainTicketTrip(b, travel, 3);
        travel.Event("jvm.gc", b.Us(t + 1651), ("jvm.gc.name", "G1 Old Generation"), ("jvm.gc.action", "end of major GC"),
            ("jvm.gc.cause", "G1 Humongous Allocation"), ("jvm.gc.duration_ms", 1648L));
        travel.Attr("jvm.memory.used_after_gc_bytes", 1_932_735_283L).Attr("jvm.memory.limit_bytes", 2_147_483_648L);
        t += 1652;
        TrainTicketTrip(b, travel, t);
        return RootCauseLabel.Of(travel, "resource");
    }

    private static RootCauseLabel CpuThrottling(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /product/{id}", GenSpanKind.Server, 0, 830).Attr("http.request.method", "GET");
        b.Rpc(fe, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", 1, 3);
        var conv = b.Rpc(fe, "currencyservice", "hipstershop.CurrencyService/Convert", 5, 800);
        conv.Attr("container.cpu.limit", 0.2).Attr("container.cpu.throttled_time_ms", 760L).Attr("container.cpu.throttled_periods", 76L);
        conv.Event("cpu.throttled", b.Us(780), ("container.cpu.throttled_time_ms", 760L), ("container.cpu.limit", 0.2));
        b.Span(conv, "currencyservice", "conversion", GenSpanKind.Internal, 795, 1.2);
        var t = 806.0;
        b.Rpc(fe, "recommendationservice", "hipstershop.RecommendationService/ListRecommendations", t, 12);
        b.Rpc(fe, "adservice", "hipstershop.AdService/GetAds", t + 13, 8);
        return RootCauseLabel.Of(conv, "resource");
    }

    private static RootCauseLabel DotnetGc(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "GET /api/cart", GenSpanKind.Server, 0, 1230).Attr("http.request.method", "GET");
        var cart = b.Rpc(fe, "cart", "oteldemo.CartService/GetCart", 2, 1220);
        Db(b, cart, "HGET", "redis", 3, 1.1).Attr("db.system.name", "valkey");
        cart.Attr("dotnet.gc.last_pause_ms", 1180L).Attr("dotnet.gc.heap.generation", "gen2").Attr("dotnet.gc.collection.kind", "blocking");
        cart.Event("dotnet.gc.pause", b.Us(1190), ("dotnet.gc.heap.generation", "gen2"), ("dotnet.gc.pause_ms", 1180L));
        b.Rpc(fe, "currency", "oteldemo.CurrencyService/Convert", 1223, 2);
        return RootCauseLabel.Of(cart, "resource");
    }
}
