namespace MLPipeline.Serving.Security;

/// <summary>Which parts of security are on, decided once from the configuration the policies were built from.</summary>
/// <param name="Authentication">API keys or a JWT authority are configured: routes carry their role policy.</param>
/// <param name="RateLimit">Serving:RateLimit:PermitsPerSecond is set: routes go through the per-caller limiter.</param>
public sealed record SecuritySwitches(bool Authentication, bool RateLimit);
