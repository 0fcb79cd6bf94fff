using System.ClientModel;
using System.Net;
using Microsoft.SemanticKernel;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Maps whatever the SK → SDK → resilience stack threw to a reason an operator understands. The same failure surfaces as
/// different exception types depending on the layer that noticed it, so the whole inner-exception chain is examined.
/// </summary>
public static class LlmFailureClassifier
{
    public static LlmFailureInfo Classify(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case LlmReplayMissException miss:
                    return new(LlmFailure.ReplayMiss, "LLM replay: " + miss.Message);
                case TimeoutRejectedException:
                    return new(LlmFailure.Timeout, "LLM timeout: no answer within the configured OpsAssistant:Llm:Timeout");
                case BrokenCircuitException:
                    return new(LlmFailure.CircuitOpen, "LLM circuit open: recent calls failed, the LLM is not being called for a while");
                case ClientResultException { Status: 429 }:
                    return new(LlmFailure.RateLimited, "LLM rate-limited (HTTP 429) after retries");
                case ClientResultException { Status: > 0 } cre:
                    return new(LlmFailure.Unavailable, $"LLM unavailable (HTTP {cre.Status}) after retries");
                case HttpOperationException { StatusCode: HttpStatusCode.TooManyRequests }:
                    return new(LlmFailure.RateLimited, "LLM rate-limited (HTTP 429) after retries");
                case HttpOperationException { StatusCode: { } code }:
                    return new(LlmFailure.Unavailable, $"LLM unavailable (HTTP {(int)code}) after retries");
                case HttpRequestException { StatusCode: HttpStatusCode.TooManyRequests }:
                    return new(LlmFailure.RateLimited, "LLM rate-limited (HTTP 429) after retries");
                case HttpRequestException { StatusCode: { } status }:
                    return new(LlmFailure.Unavailable, $"LLM unavailable (HTTP {(int)status}) after retries");
                default:
                    break;
            }
        }

        return exception switch
        {
            OperationCanceledException => new(LlmFailure.Timeout, "LLM timeout: the call was cancelled before an answer arrived"),
            HttpRequestException hre => new(LlmFailure.Unavailable, "LLM unreachable: " + hre.Message),
            _ => new(LlmFailure.Unavailable, $"LLM call failed ({exception.GetType().Name})"),
        };
    }
}
