using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Randomized messaging families: request/reply over a queue whose consumer lags, and a poison message redelivered until
/// it lands in the dead-letter queue. Producer and consumer spans follow the messaging conventions (PRODUCER/CONSUMER
/// kinds, <c>messaging.system</c>, <c>messaging.destination.name</c>, <c>messaging.operation.type</c>).
/// </summary>
internal static class MessagingFamilies
{
    public static IEnumerable<Family> All() =>
    [
        new("queue-consumer-lag", "Request/reply over a queue: the reply is late because the request sat in the queue (consumer lag) before the consumer picked it up; labelled with the consumer span.", 6,
            ConsumerLag),
        new("messaging-poison-dlq", "A poison message: every delivery fails in the consumer's processing and the message ends in the dead-letter queue.", 6,
            (s, _) => PoisonMessage(s)),
    ];

    private static string System(Shape s) => s.R.Next(3) switch { 0 => "kafka", 1 => "rabbitmq", _ => "aws_sqs" };

    private static GenSpan Publish(Shape s, GenSpan parent, string system, string queue, double at) =>
        s.B.Span(parent, parent.Service, s.OldSemconv ? queue + " send" : "publish " + queue, GenSpanKind.Producer, at, s.B.Jitter(0.4, 3))
            .Attr("messaging.system", system).Attr("messaging.destination.name", queue).Attr("messaging.operation.type", "send");

    private static GenSpan Process(Shape s, GenSpan producer, string service, string system, string queue, double at, double duration, bool followsFrom)
    {
        var span = s.B.Span(producer, service, s.OldSemconv ? queue + " process" : "process " + queue, GenSpanKind.Consumer, at, duration)
            .Attr("messaging.system", system).Attr("messaging.destination.name", queue).Attr("messaging.operation.type", "process")
            .Attr("messaging.consumer.group.name", service);
        span.FollowsFrom = followsFrom;
        return span;
    }

    private static RootCauseLabel ConsumerLag(Shape s, int variant)
    {
        var (root, host, t) = s.Entry("export", "POST");
        var workerRole = s.NewRole();
        var worker = s.Svc(workerRole);
        var system = System(s);
        var queue = workerRole + ".requests";
        var replies = host.Service + ".replies";
        var x = s.Noise(host, t + 1, s.R.Next(0, 2)) + 0.2;
        var request = Publish(s, host, system, queue, x).Attr("messaging.message.id", s.B.TraceId[..16]);
        var lag = s.B.Jitter(1500, 6000);
        var consumer = Process(s, request, worker, system, queue, s.End(request) + lag, 0, followsFrom: variant % 3 == 2);
        var y = s.Start(consumer) + 0.3;
        y = s.End(s.Db(consumer, "SELECT", workerRole, y, s.B.Jitter(1, 6))) + 0.2;
        y = s.End(s.Db(consumer, "INSERT", workerRole + "_export", y, s.B.Jitter(1, 6))) + 0.2;
        var reply = Publish(s, consumer, system, replies, y);
        consumer.EndUs = reply.EndUs + 200;
        var replyConsumer = Process(s, reply, host.Service, system, replies, s.End(reply) + s.B.Jitter(0.5, 3), s.B.Jitter(0.3, 2), followsFrom: false);
        if (variant % 2 == 0)
        {
            // Some clients wrap the wait for the reply in a span of its own; its own time is the lag, not its work.
            s.Internal(host, "await reply", s.End(request) + 0.1, s.End(replyConsumer) - s.End(request) - 0.1);
        }

        host.EndUs = replyConsumer.EndUs + 400;
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{host.Service} publishes to {queue} ({system}) and awaits the reply; {worker}'s consumer picks the message up ~{lag:0} ms after it was sent (consumer lag) and answers in milliseconds.");
        return RootCauseLabel.Of(consumer, "latency");
    }

    private static RootCauseLabel PoisonMessage(Shape s)
    {
        var (root, host, t) = s.Entry("orders", "POST");
        var workerRole = s.NewRole();
        var worker = s.Svc(workerRole);
        var system = System(s);
        var queue = workerRole + ".events";
        var publish = Publish(s, host, system, queue, s.Noise(host, t + 1, s.R.Next(0, 2)) + 0.2);
        var deliveries = 3 + s.R.Next(4);
        var x = s.End(publish) + s.B.Jitter(1, 20);
        GenSpan? first = null;
        GenSpan? last = null;
        for (var i = 0; i < deliveries; i++)
        {
            var process = Process(s, publish, worker, system, queue, x, s.B.Jitter(2, 15), followsFrom: true)
                .Attr("messaging.message.delivery_attempt", (long)(i + 1));
            process.Throw(s.R.Next(2) == 0 ? "System.Text.Json.JsonException" : "com.fasterxml.jackson.databind.exc.MismatchedInputException",
                "Cannot deserialize value of type `Amount` from String \"12,50\": not a valid number");
            first ??= process;
            last = process;
            x = s.End(process) + s.B.Jitter(100, 800) * (i + 1);
        }

        var dlq = Publish(s, last!, system, queue + ".dlq", s.End(last!) - 0.6);
        last!.EndUs = Math.Max(last.EndUs, dlq.EndUs + 100);
        s.B.Summary = string.Create(CultureInfo.InvariantCulture,
            $"{worker} fails to deserialise the same message on all {deliveries} deliveries from {queue} ({system}); it is then dead-lettered.");
        return RootCauseLabel.Of(first!, "error");
    }
}
