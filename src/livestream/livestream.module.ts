import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Leader } from './leader.entity';
import { LivestreamSession } from './livestream-session.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Leader, LivestreamSession])],
  exports: [TypeOrmModule],
})
export class LivestreamModule {}
