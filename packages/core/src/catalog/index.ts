export { type CatalogOptions, createCatalog } from "./catalog.ts";
export { eventTypeKeys, matchesEventType } from "./match.ts";
export { eventPatternProblem, eventTypeNameProblem, isValidEventPattern } from "./pattern.ts";
