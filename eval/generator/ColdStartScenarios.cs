namespace OpsAssistant.EvalGenerator;

/// <summary>
/// Cold-start family, in the shapes the platforms emit: Function Compute (root <c>service/function</c>, <c>ColdStart</c>
/// with <c>PrepareCode</c> and <c>RuntimeInitialization</c>, then <c>Initializer</c> and <c>InvokeFunction</c>), Lambda as
/// X-Ray shows it (function segment with <c>Initialization</c>, <c>Invocation</c>, <c>Overhead</c>) and OpenTelemetry
/// FaaS (<c>faas.coldstart=true</c> on the server span). The label is the phase that dominates.
/// </summary>
internal static class ColdStartScenarios
{
    public static IEnumerable<Scenario> All() =>
    [
        new("cold-start-fc-preparecode-zip", WireFormat.JaegerV1,
            "Function Compute 2.0 (Jaeger): a 180 MB code package makes PrepareCode 2.5 s of a 3.3 s request; the function's own OSS read is 60 ms.",
            b => FunctionCompute(b, "image-service", "thumbnail", prepare: 2550, runtime: 310, initializer: 140, invoke: 230, "python3.10", codeMb: 180)),
        new("cold-start-fc-runtimeinit-custom", WireFormat.OtlpJson,
            "Function Compute 3.0 (OTLP) custom runtime: the HTTP server takes 2.4 s to pass its health check (RuntimeInitialization); PrepareCode is 150 ms.",
            b => FunctionCompute(b, "order-api", "order-handler", prepare: 150, runtime: 2400, initializer: 0, invoke: 95, "custom.debian10", codeMb: 24)),
        new("cold-start-fc-preparecode-image", WireFormat.JaegerV3,
            "Function Compute custom container: pulling a 1.2 GB image makes PrepareCode 6 s; a 400 ms downstream call inside InvokeFunction is a decoy.",
            b => FunctionCompute(b, "ml-inference", "predict", prepare: 6000, runtime: 800, initializer: 0, invoke: 520, "custom-container", codeMb: 1200)),
        new("cold-start-fc-runtimeinit-python", WireFormat.Tempo,
            "Function Compute Python runtime whose start-up imports dominate (RuntimeInitialization 1.7 s) over a 600 ms user Initializer and 300 ms PrepareCode.",
            b => FunctionCompute(b, "report-service", "render-pdf", prepare: 300, runtime: 1700, initializer: 600, invoke: 180, "python3.12", codeMb: 45)),
        new("cold-start-lambda-initialization", WireFormat.OtlpJson,
            "AWS Lambda (X-Ray shape): Initialization 1.8 s before a 250 ms Invocation; the function segment is annotated ColdStart=true.",
            Lambda),
        new("cold-start-otel-faas-coldstart", WireFormat.JaegerV3,
            "OpenTelemetry FaaS: the server span carries faas.coldstart=true and spends 1.9 s before its first child; a 205 ms storage write is a decoy.",
            OtelFaas),
    ];

    private static RootCauseLabel FunctionCompute(TraceBuilder b, string service, string function, double prepare, double runtime, double initializer,
        double invoke, string runtimeName, int codeMb)
    {
        b.Resource(service, ("cloud.provider", "alibaba_cloud"), ("cloud.platform", "alibaba_cloud_fc"), ("faas.name", function),
            ("faas.version", "LATEST"), ("faas.max_memory", 1_073_741_824L), ("cloud.region", "cn-hangzhou"));
        var total = prepare + runtime + initializer + invoke + 6;
        var root = b.Span(null, service, service + "/" + function, GenSpanKind.Server, 0, total)
            .Attr("faas.trigger", "http").Attr("faas.coldstart", true).Attr("faas.invocation_id", "1-" + b.TraceId[..8] + "-" + b.TraceId[8..20]);
        var cold = b.Span(root, service, "ColdStart", GenSpanKind.Internal, 1, prepare + runtime);
        var prep = b.Span(cold, service, "PrepareCode", GenSpanKind.Internal, 1, prepare).Attr("fc.code.size_bytes", codeMb * 1_048_576L);
        var rt = b.Span(cold, service, "RuntimeInitialization", GenSpanKind.Internal, 1 + prepare, runtime).Attr("fc.runtime", runtimeName);
        var t = 1 + prepare + runtime + 1;
        if (initializer > 0)
        {
            b.Span(root, service, "Initializer", GenSpanKind.Internal, t, initializer).Attr("fc.initializer", "index.initializer");
            t += initializer + 1;
        }

        var inv = b.Span(root, service, "InvokeFunction", GenSpanKind.Internal, t, invoke).Attr("fc.handler", "index.handler");
        var downstream = Math.Min(400, invoke * 0.8);
        b.Span(inv, service, "GetObject", GenSpanKind.Client, t + 2, downstream < 100 ? downstream : Math.Min(downstream, invoke - 20))
            .Attr("rpc.system", "aliyun-oss").Attr("peer.service", "oss").Attr("server.address", "oss-cn-hangzhou-internal.aliyuncs.com");
        return RootCauseLabel.Of(prepare >= runtime ? prep : rt, "cold-start");
    }

    private static RootCauseLabel Lambda(TraceBuilder b)
    {
        const string fn = "checkout-handler";
        b.Resource(fn, ("cloud.provider", "aws"), ("cloud.platform", "aws_lambda"), ("faas.name", fn), ("faas.version", "$LATEST"),
            ("faas.max_memory", 536_870_912L), ("cloud.region", "eu-west-1"));
        var service = b.Span(null, fn, fn, GenSpanKind.Server, 0, 2090).Attr("aws.xray.origin", "AWS::Lambda").Attr("faas.trigger", "http");
        var function = b.Span(service, fn, fn, GenSpanKind.Internal, 12, 2070).Attr("aws.xray.origin", "AWS::Lambda::Function")
            .Attr("ColdStart", true).Attr("faas.coldstart", true).Attr("aws.lambda.init_duration_ms", 1812L);
        var init = b.Span(function, fn, "Initialization", GenSpanKind.Internal, 12, 1812).Attr("aws.xray.origin", "AWS::Lambda::Function");
        var inv = b.Span(function, fn, "Invocation", GenSpanKind.Internal, 1826, 250);
        b.Span(inv, fn, "DynamoDB.PutItem", GenSpanKind.Client, 1830, 38).Attr("rpc.system", "aws-api").Attr("rpc.service", "DynamoDB")
            .Attr("rpc.method", "PutItem").Attr("aws.dynamodb.table_names", "orders").Attr("db.system", "dynamodb");
        b.Span(inv, fn, "SQS.SendMessage", GenSpanKind.Producer, 1870, 22).Attr("rpc.system", "aws-api").Attr("rpc.service", "SQS")
            .Attr("messaging.system", "aws_sqs").Attr("messaging.destination.name", "order-events");
        b.Span(function, fn, "Overhead", GenSpanKind.Internal, 2077, 4);
        return RootCauseLabel.Of(init, "cold-start");
    }

    private static RootCauseLabel OtelFaas(TraceBuilder b)
    {
        const string fn = "resize-fn";
        b.Resource(fn, ("cloud.provider", "gcp"), ("cloud.platform", "gcp_cloud_functions"), ("faas.name", fn), ("faas.version", "7"),
            ("faas.instance", "00f46b9288a3c5ef1d2a"), ("faas.max_memory", 268_435_456L));
        var client = b.Span(null, "upload-api", "POST /images", GenSpanKind.Server, 0, 2330).Attr("http.request.method", "POST");
        var call = b.Span(client, "upload-api", fn, GenSpanKind.Client, 2, 2320).Attr("faas.invoked_name", fn).Attr("faas.invoked_provider", "gcp")
            .Attr("faas.invoked_region", "europe-west1");
        var server = b.Span(call, fn, fn, GenSpanKind.Server, 6, 2310).Attr("faas.trigger", "http").Attr("faas.coldstart", true)
            .Attr("faas.invocation_id", "af9d5aa4-a685-4c5f-a22b-444f80b3cc28");
        b.Span(server, fn, "storage.objects.get", GenSpanKind.Client, 1905, 150).Attr("rpc.system", "gcp-storage").Attr("peer.service", "gcs");
        b.Span(server, fn, "resize", GenSpanKind.Internal, 2058, 45);
        b.Span(server, fn, "storage.objects.insert", GenSpanKind.Client, 2105, 205).Attr("rpc.system", "gcp-storage").Attr("peer.service", "gcs");
        return RootCauseLabel.Of(server, "cold-start");
    }
}
