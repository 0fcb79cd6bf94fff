using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Incidents;

public sealed class IncidentDimensionsTests
{
    [Fact]
    public void Extract_TraceWithAFailedCall_ReadsEntryOperationResourceAndErrorDimensions()
    {
        var spans = new IncidentWindows(1).Trace(1_000, s => s with { Host = "host-z", Region = "ap-south-1", Route = "/pay", Error = "TimeoutException" });

        var trace = IncidentDimensions.Extract(spans[0].TraceId, spans, IncidentWindows.Service)!;

        Assert.Equal("POST /pay", trace.Operation);
        Assert.True(trace.IsError);
        Assert.Equal(spans[0].DurationNano, trace.DurationNano);
        Assert.Contains(new IncidentDimension("host.name", "host-z"), trace.Dimensions);
        Assert.Contains(new IncidentDimension("cloud.region", "ap-south-1"), trace.Dimensions);
        Assert.Contains(new IncidentDimension("exception.type", "TimeoutException"), trace.Dimensions);
        Assert.Contains(new IncidentDimension("http.response.status_code", "503"), trace.Dimensions);
        Assert.Contains(new IncidentDimension("status.message", "payments answered # after # ms"), trace.Dimensions);
        Assert.DoesNotContain(trace.Dimensions, d => d.Key == "process.pid" || d.Key == "request.id");
    }

    [Fact]
    public void Extract_ServiceAbsent_ReturnsNull()
    {
        var spans = new IncidentWindows(1).Trace(1_000);

        Assert.Null(IncidentDimensions.Extract(spans[0].TraceId, spans, "inventory"));
    }

    [Fact]
    public void Extract_ServiceCalledMidTrace_TakesItsOwnEntrySpan()
    {
        var spans = new IncidentWindows(1).Trace(1_000);

        var trace = IncidentDimensions.Extract(spans[0].TraceId, spans, "payments")!;

        Assert.Equal("charge", trace.Operation);
        Assert.Equal(spans[2].DurationNano, trace.DurationNano);
    }

    [Fact]
    public void Extract_OldEnvironmentAttribute_CountsAsTheCurrentName()
    {
        var span = new Span
        {
            TraceId = new string('a', 32), SpanId = new string('b', 16), Name = "GET /", StartUnixNano = 1, EndUnixNano = 2,
            Resource = new Resource("web", [new Attribute("deployment.environment", "staging")]),
        };

        var trace = IncidentDimensions.Extract(span.TraceId, [span], "web")!;

        Assert.Contains(new IncidentDimension("deployment.environment.name", "staging"), trace.Dimensions);
        Assert.False(trace.IsError);
    }

    [Theory]
    [InlineData("timeout after 3012 ms", "timeout after # ms")]
    [InlineData("user 'alice' not found (id 42)", "user # not found (id #)")]
    [InlineData("   ", null)]
    public void MessageClass_VariableParts_AreBlanked(string message, string? expected)
    {
        Assert.Equal(expected, IncidentDimensions.MessageClass(message));
    }
}
