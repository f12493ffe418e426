import { IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Arguments of `test_prompt_with_arguments`. */
export class PromptWithArgumentsArgs {
  @JSONSchema({ description: 'First test argument' })
  @IsString()
  arg1!: string;

  @JSONSchema({ description: 'Second test argument' })
  @IsString()
  arg2!: string;
}

/** Arguments of `test_prompt_with_embedded_resource`. */
export class EmbeddedResourceArgs {
  @JSONSchema({ description: 'URI of the resource to embed' })
  @IsString()
  resourceUri!: string;
}
