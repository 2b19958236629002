/// A contracts module: it vends the catalogue service's policy (its events) as a resource, so
/// services in other packages react to `book.discontinued` without copying the file. The build
/// plugin reads it as a reference because FixtureApp depends on this target.
public enum Contracts {}
