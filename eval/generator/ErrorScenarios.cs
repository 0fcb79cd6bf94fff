using static OpsAssistant.EvalGenerator.Healthy;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Error family: the locus is the span where the failure originated, never the spans it propagated through, the
/// attempts that failed and were retried successfully, nor a proxy that merely gave up waiting.
/// </summary>
internal static class ErrorScenarios
{
    public static IEnumerable<Scenario> All() =>
    [
        new("error-db-deadlock-order", WireFormat.OtlpJson,
            "Train-Ticket booking fails: a MySQL deadlock on INSERT ts.orders propagates as HTTP 500 through ts-order-service, ts-preserve-service and the gateway; a station lookup fails once and is retried successfully.",
            DbDeadlock),
        new("error-grpc-payment-declined", WireFormat.Tempo,
            "Online Boutique checkout: paymentservice rejects the card (gRPC INVALID_ARGUMENT) and checkout/frontend fail with it; a currency conversion failed with UNAVAILABLE and succeeded on retry.",
            PaymentDeclined),
        new("error-retried-decoy-quote", WireFormat.JaegerV1,
            "OpenTelemetry demo checkout: quote's calculate-quote throws and the failure climbs through shipping and checkout; product-catalog fails once with UNAVAILABLE before a successful retry.",
            QuoteFailure),
        new("error-sibling-assurance-first", WireFormat.JaegerV3,
            "Two errored branches under ts-preserve-service: the assurance lookup fails first (+25 ms); the food order fails 60 ms later, one level deeper, because of it.",
            SiblingAssurance),
        new("error-sibling-payment-email", WireFormat.ZipkinV2,
            "PlaceOrder has two errored children: the card charge fails at +20 ms, the confirmation e-mail fails at +120 ms as a consequence.",
            SiblingPaymentEmail),
        new("error-proxy-timeout-checkout", WireFormat.OtlpJson,
            "frontend-proxy returns 504 at its 15 s route timeout; the only errored span is the proxy, while an OK payment Charge below it consumed the whole budget.",
            ProxyTimeout),
        new("error-gateway-timeout-route", WireFormat.Tempo,
            "ts-gateway-service times out at 10 s (504); ts-route-service's handler, status OK, ran for almost the whole budget; a train lookup failed once and was retried.",
            GatewayTimeout),
        new("error-npe-inside-payment", WireFormat.ZipkinV2,
            "Train-Ticket cancellation: ts-inside-payment-service throws a NullPointerException (HTTP 500) on drawback; a Redis GET timed out and was retried successfully.",
            InsidePaymentNpe),
    ];

    private static RootCauseLabel DbDeadlock(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "POST /api/v1/preserveservice/preserve", GenSpanKind.Server, 0, 412)
            .Attr("http.request.method", "POST").Attr("http.route", "/api/v1/preserveservice/preserve").Attr("http.response.status_code", 500L);
        gw.Fail("500 INTERNAL_SERVER_ERROR");
        var preserve = b.Rpc(gw, "ts-preserve-service", "POST /api/v1/preserveservice/preserve", 1.5, 409, "http");
        TraceBuilder.FailRpc(preserve, "HTTP 500", httpStatus: 500);
        var t = TrainTicketPreamble(b, preserve, 3);
        var st1 = b.Rpc(preserve, "ts-station-service", "GET /api/v1/stationservice/stations/id/{stationNameForId}", t + 1, 6.5, "http");
        TraceBuilder.FailRpc(st1, "HTTP 503", httpStatus: 503);
        var st2 = b.Rpc(preserve, "ts-station-service", "GET /api/v1/stationservice/stations/id/{stationNameForId}", t + 58, 5, "http");
        st2.Parent!.Attr("http.request.resend_count", 1L);
        t = TrainTicketTrip(b, preserve, t + 64);
        var order = b.Rpc(preserve, "ts-order-service", "POST /api/v1/orderservice/order", t + 2, 300, "http");
        Db(b, order, "SELECT ts.orders", "mysql", t + 3, 2.2);
        var insert = Db(b, order, "INSERT ts.orders", "mysql", t + 6, 292,
            "INSERT INTO orders (id, account_id, trip_id, seat_number, status) VALUES (?, ?, ?, ?, ?)");
        insert.Throw("com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException", "Deadlock found when trying to get lock; try restarting transaction",
            "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)\n\tat order.service.OrderServiceImpl.create(OrderServiceImpl.java:87)");
        order.Throw("org.springframework.dao.CannotAcquireLockException", "could not execute statement; SQL [n/a]; nested exception is org.hibernate.exception.LockAcquisitionException");
        TraceBuilder.FailRpc(order, "HTTP 500", httpStatus: 500);
        var end = End(b, order.Parent!) + 1;
        preserve.EndUs = b.Us(end);
        preserve.Parent!.EndUs = b.Us(end + 0.4);
        gw.EndUs = b.Us(end + 1);
        return RootCauseLabel.Of(insert, "error");
    }

    private static RootCauseLabel PaymentDeclined(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /cart/checkout", GenSpanKind.Server, 0, 96)
            .Attr("http.request.method", "POST").Attr("http.route", "/cart/checkout").Attr("http.response.status_code", 500L);
        fe.Fail("failed to complete the order");
        var t = BoutiqueFrontend(b, fe, 0.5);
        var co = b.Rpc(fe, "checkoutservice", "hipstershop.CheckoutService/PlaceOrder", t + 0.5, 95 - t);
        TraceBuilder.FailRpc(co, "failed to charge card: could not charge the card: rpc error: code = InvalidArgument desc = Credit card info is invalid", grpcCode: 13);
        var c0 = t + 1;
        var cart = b.Rpc(co, "cartservice", "hipstershop.CartService/GetCart", c0, 6);
        Db(b, cart, "HGET", "redis", c0 + 1, 1.1);
        var x = c0 + 7;
        for (var i = 0; i < 3; i++)
        {
            b.Rpc(co, "productcatalogservice", "hipstershop.ProductCatalogService/GetProduct", x, b.Jitter(1, 2.4));
            x += 2.8;
        }

        var conv1 = b.Rpc(co, "currencyservice", "hipstershop.CurrencyService/Convert", x, 3);
        TraceBuilder.FailRpc(conv1, "connection refused", grpcCode: 14);
        var conv2 = b.Rpc(co, "currencyservice", "hipstershop.CurrencyService/Convert", x + 24, 2.2);
        conv2.Parent!.Attr("rpc.grpc.retry_attempt", 1L);
        x += 27;
        b.Rpc(co, "shippingservice", "hipstershop.ShippingService/GetQuote", x, b.Jitter(2, 4));
        x += 5;
        var charge = b.Rpc(co, "paymentservice", "hipstershop.PaymentService/Charge", x, 12);
        charge.Throw("CreditCardError", "Credit card info is invalid: card expired 01/2024");
        TraceBuilder.FailRpc(charge, "Credit card info is invalid", grpcCode: 3);
        return RootCauseLabel.Of(charge, "error");
    }

    private static RootCauseLabel QuoteFailure(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /api/checkout", GenSpanKind.Server, 0, 210)
            .Attr("http.request.method", "POST").Attr("http.route", "/api/checkout").Attr("http.response.status_code", 500L);
        fe.Fail("500");
        var co = b.Rpc(fe, "checkout", "oteldemo.CheckoutService/PlaceOrder", 2, 205);
        TraceBuilder.FailRpc(co, "shipping quote failure: failed POST to shipping service", grpcCode: 13);
        var cart = b.Rpc(co, "cart", "oteldemo.CartService/GetCart", 3, 7);
        Db(b, cart, "HGET", "redis", 4, 1.2).Attr("db.system.name", "valkey");
        var pc1 = b.Rpc(co, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", 11, 2);
        TraceBuilder.FailRpc(pc1, "connection error: desc = \"transport: Error while dialing\"", grpcCode: 14);
        var pc2 = b.Rpc(co, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", 40, 3.1);
        pc2.Parent!.Attr("rpc.grpc.retry_attempt", 1L);
        b.Rpc(co, "currency", "oteldemo.CurrencyService/Convert", 45, 1.7);
        var ship = b.Rpc(co, "shipping", "POST /get-quote", 48, 150, "http");
        var quote = b.Rpc(ship, "quote", "POST /getquote", 50, 145, "http");
        var calc = b.Span(quote, "quote", "calculate-quote", GenSpanKind.Internal, 52, 140).Attr("app.quote.items", 3L);
        calc.Throw("DivisionByZeroError", "Division by zero", "#0 /var/www/app/quote.php(42): calculateQuote()\n#1 {main}");
        TraceBuilder.FailRpc(quote, "HTTP 500", httpStatus: 500);
        TraceBuilder.FailRpc(ship, "HTTP 500", httpStatus: 500);
        return RootCauseLabel.Of(calc, "error");
    }

    private static RootCauseLabel SiblingAssurance(TraceBuilder b)
    {
        var root = b.Span(null, "ts-preserve-service", "POST /api/v1/preserveservice/preserve", GenSpanKind.Server, 0, 180)
            .Attr("http.request.method", "POST").Attr("http.route", "/api/v1/preserveservice/preserve").Attr("http.response.status_code", 500L);
        root.Fail("HTTP 500");
        b.Rpc(root, "ts-security-service", "GET /api/v1/securityservice/securities/check/{accountId}", 4, 14, "http");
        var assurance = b.Rpc(root, "ts-assurance-service", "GET /api/v1/assuranceservice/assurances/types", 25, 16, "http");
        assurance.Throw("java.lang.IllegalStateException", "assurance type table is empty");
        TraceBuilder.FailRpc(assurance, "HTTP 500", httpStatus: 500);
        b.Rpc(root, "ts-contacts-service", "GET /api/v1/contactservice/contacts/{id}", 45, 9, "http");
        var food = b.Rpc(root, "ts-food-service", "POST /api/v1/foodservice/orders", 85, 60, "http");
        var order = b.Rpc(food, "ts-order-service", "GET /api/v1/orderservice/order/{orderId}", 90, 40, "http");
        Db(b, order, "SELECT ts.orders", "mysql", 92, 30);
        order.Throw("order.exception.OrderNotFoundException", "order not found: assurance step did not complete");
        TraceBuilder.FailRpc(order, "HTTP 404", httpStatus: 404);
        TraceBuilder.FailRpc(food, "HTTP 500", httpStatus: 500);
        return RootCauseLabel.Of(assurance, "error");
    }

    private static RootCauseLabel SiblingPaymentEmail(TraceBuilder b)
    {
        var fe = b.Span(null, "frontend", "POST /cart/checkout", GenSpanKind.Server, 0, 215)
            .Attr("http.request.method", "POST").Attr("http.route", "/cart/checkout").Attr("http.response.status_code", 500L);
        fe.Fail("failed to complete the order");
        var co = b.Rpc(fe, "checkoutservice", "hipstershop.CheckoutService/PlaceOrder", 4, 205);
        TraceBuilder.FailRpc(co, "failed to charge card", grpcCode: 13);
        b.Rpc(co, "cartservice", "hipstershop.CartService/GetCart", 6, 8);
        var charge = b.Rpc(co, "paymentservice", "hipstershop.PaymentService/Charge", 20, 40);
        charge.Throw("CreditCardError", "payment declined: card processor rejected transaction");
        TraceBuilder.FailRpc(charge, "payment declined", grpcCode: 3);
        var mail = b.Rpc(co, "emailservice", "hipstershop.EmailService/SendOrderConfirmation", 120, 60);
        mail.Throw("ValueError", "order has no transaction id");
        TraceBuilder.FailRpc(mail, "order has no transaction id", grpcCode: 2);
        return RootCauseLabel.Of(charge, "error");
    }

    private static RootCauseLabel ProxyTimeout(TraceBuilder b)
    {
        var proxy = b.Span(null, "frontend-proxy", "ingress", GenSpanKind.Server, 0, 15001)
            .Attr("http.request.method", "POST").Attr("url.path", "/api/checkout").Attr("http.response.status_code", 504L)
            .Attr("response_flags", "UT").Attr("upstream_cluster", "frontend");
        proxy.Fail("upstream request timeout");
        var egress = b.Span(proxy, "frontend-proxy", "router frontend egress", GenSpanKind.Client, 0.2, 15000.6)
            .Attr("upstream_cluster", "frontend").Attr("peer.service", "frontend");
        var fe = b.Span(egress, "frontend", "POST /api/checkout", GenSpanKind.Server, 0.6, 15000).Attr("http.request.method", "POST").Attr("http.route", "/api/checkout");
        var t = 1.0;
        var cart = b.Rpc(fe, "cart", "oteldemo.CartService/GetCart", t, 5);
        Db(b, cart, "HGET", "redis", t + 1, 1);
        var co = b.Rpc(fe, "checkout", "oteldemo.CheckoutService/PlaceOrder", 7, 14993);
        b.Rpc(co, "cart", "oteldemo.CartService/GetCart", 8, 4.5);
        b.Rpc(co, "product-catalog", "oteldemo.ProductCatalogService/GetProduct", 13, 2.2);
        b.Rpc(co, "currency", "oteldemo.CurrencyService/Convert", 16, 1.4);
        b.Rpc(co, "shipping", "POST /get-quote", 18, 9, "http");
        var charge = b.Rpc(co, "payment", "oteldemo.PaymentService/Charge", 28, 14971);
        charge.Attr("app.payment.card_type", "visa").Attr("app.loyalty.level", "gold");
        return RootCauseLabel.Of(charge, "error");
    }

    private static RootCauseLabel GatewayTimeout(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "GET /api/v1/travelservice/trips/left", GenSpanKind.Server, 0, 10000)
            .Attr("http.request.method", "GET").Attr("http.response.status_code", 504L);
        gw.Fail("504 GATEWAY_TIMEOUT: Did not observe any item or terminal signal within 10000ms");
        var travel = b.Rpc(gw, "ts-travel-service", "GET /api/v1/travelservice/trips/left", 1, 10050, "http");
        travel.Parent!.Fail("Did not observe any item or terminal signal within 10000ms");
        travel.Parent!.EndUs = b.Us(10000);
        var tr1 = b.Rpc(travel, "ts-train-service", "GET /api/v1/trainservice/trains/{id}", 3, 3, "http");
        TraceBuilder.FailRpc(tr1, "HTTP 503", httpStatus: 503);
        b.Rpc(travel, "ts-train-service", "GET /api/v1/trainservice/trains/{id}", 60, 4, "http").Parent!.Attr("http.request.resend_count", 1L);
        var t = TrainTicketTrip(b, travel, 66);
        var route = b.Rpc(travel, "ts-route-service", "GET /api/v1/routeservice/routes/{routeId}", t + 1, 9975 - t, "http");
        route.Attr("thread.name", "http-nio-8080-exec-7");
        return RootCauseLabel.Of(route, "error");
    }

    private static RootCauseLabel InsidePaymentNpe(TraceBuilder b)
    {
        var gw = b.Span(null, "ts-gateway-service", "GET /api/v1/cancelservice/cancel/{orderId}/{loginId}", GenSpanKind.Server, 0, 160)
            .Attr("http.request.method", "GET").Attr("http.response.status_code", 500L);
        gw.Fail("500 INTERNAL_SERVER_ERROR");
        var cancel = b.Rpc(gw, "ts-cancel-service", "GET /api/v1/cancelservice/cancel/{orderId}/{loginId}", 1, 157, "http");
        TraceBuilder.FailRpc(cancel, "HTTP 500", httpStatus: 500);
        var r1 = Db(b, cancel, "GET", "redis", 2, 50);
        r1.Throw("io.lettuce.core.RedisCommandTimeoutException", "Command timed out after 50 millisecond(s)");
        Db(b, cancel, "GET", "redis", 53, 1.2).Attr("db.operation.attempt", 2L);
        var order = b.Rpc(cancel, "ts-order-service", "GET /api/v1/orderservice/order/{orderId}", 56, 12, "http");
        Db(b, order, "SELECT ts.orders", "mysql", 57, 8);
        b.Rpc(cancel, "ts-order-service", "PUT /api/v1/orderservice/order", 70, 14, "http");
        var pay = b.Rpc(cancel, "ts-inside-payment-service", "GET /api/v1/inside_pay_service/inside_payment/drawback/{userId}/{money}", 86, 60, "http");
        Db(b, pay, "SELECT ts.inside_money", "mysql", 88, 6);
        pay.Throw("java.lang.NullPointerException", "Cannot invoke \"inside_payment.entity.Money.getMoney()\" because \"money\" is null",
            "at inside_payment.service.InsidePaymentServiceImpl.drawBack(InsidePaymentServiceImpl.java:311)");
        TraceBuilder.FailRpc(pay, "HTTP 500", httpStatus: 500);
        return RootCauseLabel.Of(pay, "error");
    }
}
