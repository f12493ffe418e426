import { IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Arguments of `test_sampling`. */
export class SamplingInput {
  @JSONSchema({ description: 'The prompt to send to the client model' })
  @IsString()
  prompt!: string;
}

/** Arguments of `test_elicitation`. */
export class ElicitationInput {
  @JSONSchema({ description: 'The message to show the user' })
  @IsString()
  message!: string;
}
