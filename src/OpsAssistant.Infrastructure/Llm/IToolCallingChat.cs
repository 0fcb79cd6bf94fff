namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// The LLM layer's tool-calling seam: runs one chat turn in which the model may call the request's tools, and streams the
/// answer's text. Tool calls are run, limited to the request's rounds, traced (one <c>execute_tool</c> span each) and
/// reported to the listener behind it; callers see only plain tools and text.
/// </summary>
public interface IToolCallingChat
{
    /// <summary>The answer's text as it arrives. A model or transport failure surfaces as an exception from the enumeration.</summary>
    IAsyncEnumerable<string> StreamAsync(ToolChatRequest request, IToolChatListener listener, CancellationToken cancellationToken);
}
