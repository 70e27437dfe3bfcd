# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Gradient reaching each layer at initialisation' noenhanced
set xlabel 'layer l' noenhanced
set ylabel '||dL/dx_l||' noenhanced
set logscale y
set grid
set key inside bottom right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 13.05808619
2 7.709387775
3 5.912975147
4 5.38142747
5 4.829594138
6 4.734484093
EOD
$s1 << EOD
1 4.298760281
2 4.298760281
3 4.298760281
4 4.298760281
5 4.298760281
6 4.298760281
EOD
$s2 << EOD
1 19.77629421
2 15.55569082
3 15.16436634
4 11.81448878
5 12.4665744
6 9.385891107
EOD
$s3 << EOD
1 0.8370965375
2 1.182691395
3 1.632691887
4 2.612955571
5 4.648905979
6 5.823199662
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'pre-LN, full', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'pre-LN, direct path', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'post-LN, full', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'post-LN, direct path'
