import { Injectable } from '@nestjs/common';
import { Args, Resource, ResourceTemplate } from '@rampart/core';
import { TEST_IMAGE_BASE64 } from './fixtures.constants';

/**
 * Fixed resources and a template. A method returns a string (text), a `Buffer` (blob) or a full
 * `ReadResourceResult`; the declared `mimeType` goes with it.
 */
@Injectable()
export class ConformanceResources {
  @Resource({
    uri: 'test://static-text',
    name: 'static-text',
    description: 'A static text resource',
    mimeType: 'text/plain',
  })
  staticText() {
    return 'This is the content of the static text resource.';
  }

  @Resource({
    uri: 'test://static-binary',
    name: 'static-binary',
    description: 'A static binary resource (a PNG)',
    mimeType: 'image/png',
  })
  staticBinary() {
    return Buffer.from(TEST_IMAGE_BASE64, 'base64');
  }

  @Resource({
    uri: 'test://watched-resource',
    name: 'watched-resource',
    description: 'A resource clients can subscribe to (see test_trigger_resource_update)',
    mimeType: 'text/plain',
  })
  watched() {
    return 'Watched resource content';
  }

  @ResourceTemplate({
    uriTemplate: 'test://template/{id}/data',
    name: 'template',
    description: 'Data for any id',
    mimeType: 'application/json',
  })
  template(@Args('id') id: string) {
    return JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` });
  }
}
