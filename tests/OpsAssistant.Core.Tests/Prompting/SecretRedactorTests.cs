using OpsAssistant.Core.Prompting;

namespace OpsAssistant.Core.Tests.Prompting;

public sealed class SecretRedactorTests
{
    private readonly SecretRedactor _redactor = SecretRedactor.Default;

    [Theory]
    [InlineData("http.request.header.authorization")]
    [InlineData("http.request.header.cookie")]
    [InlineData("db.password")]
    [InlineData("aws.secret_access_key")]
    [InlineData("X-Api-Key")]
    [InlineData("session.token")]
    [InlineData("client_secret")]
    public void RedactAttribute_SensitiveKey_ReplacesWholeValue(string key) =>
        Assert.Equal(SecretRedactor.Marker, _redactor.RedactAttribute(key, "harmless-looking-value"));

    [Theory]
    [InlineData("gen_ai.usage.input_tokens", "1234")]
    [InlineData("http.route", "/api/orders/{id}")]
    [InlineData("db.statement", "SELECT * FROM orders WHERE id = ?")]
    public void RedactAttribute_OrdinaryKey_KeepsValue(string key, string value) =>
        Assert.Equal(value, _redactor.RedactAttribute(key, value));

    [Theory]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U used", "eyJhbGci")]
    [InlineData("Authorization: Bearer abcdef0123456789abcdef", "abcdef0123456789")]
    [InlineData("GET /login?user=bob&password=hunter22&next=/", "hunter22")]
    [InlineData("conn failed: Server=db;User Id=sa;Password=P@ssw0rd!;", "P@ssw0rd!")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE leaked", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("openai sk-proj-abcdefghijklmnopqrstuvwxyz012345", "sk-proj-abcdefghij")]
    [InlineData("charged card 4111 1111 1111 1111 ok", "4111 1111 1111 1111")]
    [InlineData("user alice@example.com not found", "alice@example.com")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow")]
    public void Redact_SecretShapedValuesInFreeText_AreRemoved(string text, string secret)
    {
        var redacted = _redactor.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Marker, redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pool.pending_password=p@ss, pool.size=10", "pool.pending_password=[REDACTED], pool.size=10")]
    [InlineData("x-api-key: abc123 ok", "x-api-key: [REDACTED] ok")]
    [InlineData("gen_ai.usage.input_tokens=1234", "gen_ai.usage.input_tokens=1234")]
    [InlineData("rejected: aws_secret_access_key=Zq9xW8vU7tS6rQ5p", "rejected: aws_secret_access_key=[REDACTED]")]
    [InlineData("https://shop.example/pay?access_token=at-8c1f0e9d&x=1", "https://shop.example/pay?access_token=[REDACTED]&x=1")]
    [InlineData("postgres://app:S3cretPw@db.internal:5432/shop", "postgres://app:[REDACTED]@db.internal:5432/shop")]
    public void Redact_KeyValueTextWithASensitiveKey_RedactsTheValueWhateverItLooksLike(string text, string expected) =>
        Assert.Equal(expected, _redactor.Redact(text));

    [Theory]
    [InlineData("order 1234567890123 shipped")]
    [InlineData("span took 15001 ms, status 504")]
    [InlineData("trace 4bf92f3577b34da6a3ce929d0e0e4736")]
    public void Redact_OrdinaryNumbersAndIds_AreKept(string text) => Assert.Equal(text, _redactor.Redact(text));

    [Fact]
    public void Redact_ConfiguredKeyAndPattern_AreHonoured()
    {
        var redactor = new SecretRedactor(new RedactionOptions { SensitiveKeys = ["tenant.ssn"], Patterns = [@"\bACME-\d{6}\b"] });

        Assert.Equal(SecretRedactor.Marker, redactor.RedactAttribute("tenant.ssn", "078-05-1120"));
        Assert.Equal("license [REDACTED] expired", redactor.Redact("license ACME-123456 expired"));
    }

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("1234567890123", false)]
    public void PassesLuhn_DistinguishesCardNumbers(string digits, bool expected) =>
        Assert.Equal(expected, SecretRedactor.PassesLuhn(digits));
}
