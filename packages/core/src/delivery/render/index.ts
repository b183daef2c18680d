export { flatEnvelope, standardEnvelope } from "./envelope.ts";
export { isJsonContentType, renderRequest, splitEventType } from "./render-request.ts";
export {
  expandTemplate,
  RenderError,
  type TemplateContext,
  type TemplateValue,
  templatePlaceholders,
} from "./template.ts";
