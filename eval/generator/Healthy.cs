namespace OpsAssistant.EvalGenerator;

/// <summary>Healthy call fragments of the demo applications, used as the noise around each planted fault.</summary>
internal static class Healthy
{
    /// <summary>Online Boutique frontend chatter: currencies, cart, ads. Returns when it ends (ms).</summary>
    public static double BoutiqueFrontend(TraceBuilder b, GenSpan frontend, double at)
    {
        var t = at;
        var cur = b.Rpc(frontend, "currencyservice", "hipstershop.CurrencyService/GetSupportedCurrencies", t, b.Jitter(1.2, 3));
        t = cur.Parent!.EndUs / 1000.0 - b.EpochUs / 1000.0 + 0.3;
        var cart = b.Rpc(frontend, "cartservice", "hipstershop.CartService/GetCart", t, b.Jitter(4, 8));
        Db(b, cart, "HGET", "redis", t + 0.8, b.Jitter(0.6, 1.5));
        t = End(b, cart.Parent!) + 0.3;
        var ads = b.Rpc(frontend, "adservice", "hipstershop.AdService/GetAds", t, b.Jitter(3, 9));
        return End(b, ads.Parent!);
    }

    /// <summary>Train-Ticket preamble of a booking: token check and contacts. Returns when it ends (ms).</summary>
    public static double TrainTicketPreamble(TraceBuilder b, GenSpan parent, double at)
    {
        var sec = b.Rpc(parent, "ts-security-service", "GET /api/v1/securityservice/securities/check/{accountId}", at, b.Jitter(8, 16), "http");
        Db(b, sec, "SELECT ts.security_config", "mysql", at + 1.5, b.Jitter(1, 3));
        Db(b, sec, "SELECT ts.orders", "mysql", at + 5, b.Jitter(1, 2.5));
        var t = End(b, sec.Parent!) + 0.5;
        var contacts = b.Rpc(parent, "ts-contacts-service", "GET /api/v1/contactservice/contacts/{id}", t, b.Jitter(5, 10), "http");
        Db(b, contacts, "SELECT ts.contacts", "mysql", t + 1, b.Jitter(1, 3));
        return End(b, contacts.Parent!);
    }

    /// <summary>Train-Ticket trip lookup: travel → ticketinfo → basic → station/train/route/price. Returns when it ends (ms).</summary>
    public static double TrainTicketTrip(TraceBuilder b, GenSpan parent, double at, string travelService = "ts-travel-service")
    {
        var travel = b.Rpc(parent, travelService, "GET /api/v1/travelservice/routes/{tripId}", at, 40, "http");
        var ti = b.Rpc(travel, "ts-ticketinfo-service", "POST /api/v1/ticketinfoservice/ticketinfo", at + 2, 34, "http");
        var basic = b.Rpc(ti, "ts-basic-service", "POST /api/v1/basicservice/basic/travel", at + 3, 31, "http");
        var t = at + 4;
        foreach (var (svc, name) in new[]
        {
            ("ts-station-service", "GET /api/v1/stationservice/stations/id/{stationNameForId}"),
            ("ts-train-service", "GET /api/v1/trainservice/trains/{id}"),
            ("ts-route-service", "GET /api/v1/routeservice/routes/{routeId}"),
            ("ts-price-service", "GET /api/v1/priceservice/prices/{routeId}/{trainType}"),
        })
        {
            var d = b.Jitter(3, 6);
            var s = b.Rpc(basic, svc, name, t, d, "http");
            Db(b, s, "SELECT ts." + svc["ts-".Length..^"-service".Length], "mysql", t + 0.6, d - 1.4);
            t += d + 0.4;
        }

        return at + 40;
    }

    public static GenSpan Db(TraceBuilder b, GenSpan parent, string name, string system, double at, double duration, string? statement = null)
    {
        var span = b.Span(parent, parent.Service, name, GenSpanKind.Client, at, duration)
            .Attr("db.system", system);
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        if (system == "redis")
        {
            span.Attr("db.operation.name", name).Attr("server.address", "redis-cart").Attr("server.port", 6379L);
        }
        else
        {
            var table = space > 0 ? name[(space + 1)..] : name;
            span.Attr("db.operation.name", space > 0 ? name[..space] : name)
                .Attr("db.collection.name", table)
                .Attr("db.query.text", statement ?? $"{(space > 0 ? name[..space] : name)} * FROM {table} WHERE id = ?")
                .Attr("server.address", system + ".ts.svc.cluster.local").Attr("server.port", system == "mysql" ? 3306L : 5432L);
        }

        return span;
    }

    /// <summary>End of a span in trace milliseconds.</summary>
    public static double End(TraceBuilder b, GenSpan span) => (span.EndUs - b.EpochUs) / 1000.0;
}
