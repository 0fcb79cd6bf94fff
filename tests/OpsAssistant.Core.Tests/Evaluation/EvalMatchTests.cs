using OpsAssistant.Core.Evaluation;
using OpsAssistant.Core.Results;
using static OpsAssistant.Core.Tests.Evaluation.EvalTestData;

namespace OpsAssistant.Core.Tests.Evaluation;

public sealed class EvalMatchTests
{
    [Fact]
    public void Matches_ServiceAndSpanDifferInCase_Matches() =>
        Assert.True(EvalMatch.Matches(Hyp("PaymentService", "hipstershop.paymentservice/charge"), new("paymentservice", "hipstershop.PaymentService/Charge")));

    [Fact]
    public void Matches_NoSpanInLabel_MatchesOnServiceAlone() =>
        Assert.True(EvalMatch.Matches(Hyp("cart", "anything"), new("cart")));

    [Fact]
    public void Matches_SpanGivenAndOperationDiffers_DoesNotMatch() =>
        Assert.False(EvalMatch.Matches(Hyp("cart", "GetCart"), new("cart", "AddItem")));

    [Fact]
    public void Matches_ServiceDiffers_DoesNotMatch() =>
        Assert.False(EvalMatch.Matches(Hyp("frontend", "POST"), new("frontend-proxy", "POST")));

    [Fact]
    public void Matches_HypothesisWithoutService_DoesNotMatch() =>
        Assert.False(EvalMatch.Matches(Hyp(null, "POST"), new("frontend")));

    [Fact]
    public void RankOf_SecondAndThirdMatch_ReturnsFirstMatchingPosition()
    {
        var hypotheses = new[] { Hyp("a", "x"), Hyp("b", "y"), Hyp("B", "Y") };
        Assert.Equal(2, EvalMatch.RankOf(hypotheses, new("b", "y")));
    }

    [Fact]
    public void RankOf_NoMatch_ReturnsNull() =>
        Assert.Null(EvalMatch.RankOf([Hyp("a", "x")], new("b")));

    [Fact]
    public void IsAbstention_NoHypothesesOrOnlyUnknown_IsTrue()
    {
        Assert.True(EvalMatch.IsAbstention([]));
        Assert.True(EvalMatch.IsAbstention([Hyp(null, null, Categories.Unknown)]));
        Assert.False(EvalMatch.IsAbstention([Hyp("a", "x", Categories.Unknown), Hyp("b", "y", Categories.Latency)]));
    }
}
