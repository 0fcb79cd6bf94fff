using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Core.Tests.Prompting;

public sealed class StreamingRedactorTests
{
    [Theory]
    [InlineData("Your key is sk-Proj4Zq8vN3xY5wR2tL6mK9pJ1hG7fD, rotate it.", "sk-Proj4Zq8vN3xY5wR2tL6mK9pJ1hG7fD")]
    [InlineData("Send Authorization: Bearer 9f8e7d6c5b4a3f2e1d0c next time", "9f8e7d6c5b4a3f2e1d0c")]
    [InlineData("login password = Tr0ub4dor-and-3 failed", "Tr0ub4dor-and-3")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAplanted\nmorekeybody\n-----END RSA PRIVATE KEY-----\nok", "MIIEpAIBAAKCAQEAplanted")]
    public void Push_SecretSplitAcrossPiecesOfEverySize_NeverReleasesIt(string text, string secret)
    {
        for (var size = 1; size <= 12; size++)
        {
            var redactor = new StreamingRedactor(SecretRedactor.Default);
            var released = string.Concat(text.Chunk(size).Select(piece => redactor.Push(new string(piece)))) + redactor.Flush();

            Assert.DoesNotContain(secret, released, StringComparison.Ordinal);
            Assert.Contains(SecretRedactor.Marker, released, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Push_OrdinaryText_StreamsLinesAndLongLinesAsTheyComeAndKeepsEveryCharacter()
    {
        var redactor = new StreamingRedactor(SecretRedactor.Default);
        var line = string.Join(' ', Enumerable.Repeat("the checkout span waited on the database", 12));

        Assert.Equal("first line\n", redactor.Push("first line\nsecond"));
        var early = redactor.Push(" " + line);
        Assert.NotEmpty(early);
        Assert.Equal("second " + line, early + redactor.Flush());
    }
}
