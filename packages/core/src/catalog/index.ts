export { eventTypeKeys, matchesEventType } from "./match.ts";
