namespace MLPipeline.Serving.Security;

/// <summary>
/// The role a route asks for, kept on the endpoint whether or not security is on: with security off there is no
/// authorization policy to read it from, and the OpenAPI document still describes the refusals the role brings.
/// </summary>
public sealed record RouteRole(string Role);
