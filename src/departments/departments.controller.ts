import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { DepartmentsService } from './departments.service';

@ApiTags('departments')
@Controller('api/departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'The district departments and its 15 streets: [{code, name, kind: "department"|"street"}]' })
  list() {
    return this.departments.list();
  }
}
